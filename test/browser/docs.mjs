// Opens the API reference (/docs) in headless Chromium and checks that it
// draws the document: the customer routes are listed, and the page asked
// no host but Kund for anything. Run by internal/httpapi/browser_test.go
// with PAGE (the URL of /docs).
import { chromium } from 'playwright-core';

const { PAGE } = process.env;
const origin = new URL(PAGE).origin;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  const elsewhere = [];
  const errors = [];
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.protocol.startsWith('http') && u.origin !== origin) elsewhere.push(req.url());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  // A failed load is named by its answer below (the browser's own ask for
  // /favicon.ico is none of the page's business).
  page.on('console', (msg) => { if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(msg.text()); });
  page.on('response', (res) => {
    if (res.status() >= 400 && new URL(res.url()).pathname !== '/favicon.ico') errors.push(res.status() + ' ' + res.url());
  });
  await page.goto(PAGE);
  // Each operation is a heading of the page (the menu's entries may be folded).
  for (const text of ['Create a customer', 'Get a customer', 'Find a customer']) {
    await page.locator('h2', { hasText: text }).first().waitFor({ timeout: 30000 });
  }
  const paths = await page.getByText('/ledger/customer/v1/{ledgerNo}/customers', { exact: false }).count();
  if (paths === 0) throw new Error('no customer path is shown');
  if (elsewhere.length > 0) throw new Error('the page asked other hosts: ' + elsewhere.join(', '));
  if (errors.length > 0) throw new Error('errors on the page: ' + errors.join(' | '));
  await page.screenshot({ path: process.env.SCREENSHOT || '/tmp/kund-docs.png' });
  console.log('reference drawn:', await page.title());
} finally {
  await browser.close();
}
