// Runs the real server SDK (connect-sdk-nodejs) against Kund: creates a
// client session and looks a customer up, found and not found. Prints one
// JSON object with what the SDK returned. Arguments: host port apiKeyId
// secretApiKey merchantId foundFiscalNumber unknownFiscalNumber.
"use strict";
const sdk = require("connect-sdk-nodejs");

const [host, port, apiKeyId, secretApiKey, merchantId, found, unknown] = process.argv.slice(2);

async function main() {
  const client = sdk.init({
    host, port: Number(port), scheme: "http",
    apiKeyId, secretApiKey, integrator: "Kund SDK tests", enableLogging: false,
  });
  const session = await client.v1.sessions.create(merchantId, {}, null);
  const lookup = (value) => ({ countryCode: "SE", values: [{ key: "fiscalNumber", value }] });
  // Kund accepts a v1HMAC signature once (it does not cover the body), and
  // the SDK's Date has whole seconds: lookups made within one second carry
  // an idempotence key each, which the SDK sends as X-GCS-Idempotence-Key
  // and signs.
  const key = (name) => ({ idempotence: { key: name + "-" + process.pid + "-" + Date.now() } });
  const hit = await client.v1.products.customerDetails(merchantId, 9000, lookup(found), key("hit"));
  const miss = await client.v1.products.customerDetails(merchantId, 9000, lookup(unknown), key("miss"));
  const bad = sdk.init({ host, port: Number(port), scheme: "http", apiKeyId, secretApiKey: "wrong", integrator: "Kund SDK tests" });
  const denied = await bad.v1.sessions.create(merchantId, {}, null);
  process.stdout.write(JSON.stringify({
    session: { status: session.status, success: session.isSuccess, body: session.body },
    found: { status: hit.status, success: hit.isSuccess, body: hit.body },
    notFound: { status: miss.status, success: miss.isSuccess, body: miss.body },
    denied: { status: denied.status, success: denied.isSuccess, body: denied.body },
  }));
}

main().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
