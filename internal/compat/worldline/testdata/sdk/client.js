// Runs the real browser client SDK (connect-sdk-client-js, its
// dist/connectsdk.noEncrypt.js) inside jsdom against Kund: fetches payment
// product 9000 and looks customers up, found and not found. Prints one
// JSON object. Arguments: pageUrl sessionJSON foundFiscalNumber
// unknownFiscalNumber.
"use strict";
const fs = require("fs");
const { JSDOM } = require("jsdom");

const [pageUrl, sessionJSON, found, unknown] = process.argv.slice(2);

async function main() {
  const dom = new JSDOM("<!doctype html><html><body></body></html>", { url: pageUrl, runScripts: "outside-only" });
  const src = fs.readFileSync(require.resolve("connect-sdk-client-js/dist/connectsdk.noEncrypt.js"), "utf8");
  dom.window.eval(src);
  const connectsdk = dom.window.connectsdk;
  const details = JSON.parse(sessionJSON);
  const session = new connectsdk.Session({
    clientSessionId: details.clientSessionId, customerId: details.customerId,
    clientApiUrl: details.clientApiUrl, assetUrl: details.assetUrl,
  });
  // The SDK's own promise type: then(onResolve, onReject).
  const settle = (p) => new Promise((resolve) => p.then((v) => resolve({ ok: true, value: v }), (e) => resolve({ ok: false, error: e })));
  const product = await settle(session.getPaymentProduct(9000, { countryCode: "SE", isRecurring: false, totalAmount: 0, currency: "SEK" }));
  const out = { product: product.ok ? {
    id: product.value.id,
    logo: product.value.displayHints.logo,
    fields: product.value.paymentProductFields.map((f) => f.id),
    lookupFields: product.value.json.fields.filter((f) => f.usedForLookup).map((f) => f.id),
  } : { error: product.error } };
  const lookup = (value) => ({ countryCode: "SE", values: [{ key: "fiscalNumber", value }] });
  out.found = await settle(session.getCustomerDetails(9000, lookup(found)));
  out.notFound = await settle(session.getCustomerDetails(9000, lookup(unknown)));
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
