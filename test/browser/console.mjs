// Drives the back-office console (/console/) in headless Chromium as
// customer service and compliance would: an agent signs in, finds a
// customer by phone number and by a personal number written another way,
// edits an e-mail address and sees it in the history, meets a concurrent
// edit, is refused an erasure; an admin erases. Run by
// internal/console/browser_test.go with BASE (Kund's URL), AGENT and ADMIN
// ("name:password"), CUSTOMER (the customer number), PHONE and REGNO (how
// the operator types them), and SHOTS (a directory for screenshots, or "").
import { chromium } from 'playwright-core';

const { BASE, AGENT, ADMIN, CUSTOMER, PHONE, REGNO, SHOTS } = process.env;
const origin = new URL(BASE).origin;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});

function check(ok, what) {
  if (!ok) throw new Error(what);
}

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

// watch fails on anything a page asks of another host, and on script
// errors (the console has no script: there must be none).
function watch(page, problems) {
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.protocol.startsWith('http') && u.origin !== origin) problems.push('asked another host: ' + req.url());
  });
  page.on('pageerror', (err) => problems.push(String(err)));
}

async function signIn(context, who, problems) {
  const [name, password] = who.split(':');
  const page = await context.newPage();
  watch(page, problems);
  await page.goto(BASE + '/console/');
  check(new URL(page.url()).pathname === '/console/sign-in', 'not sent to the sign-in page: ' + page.url());
  await shot(page, 'sign-in');
  await page.getByLabel(/name|namn/i).fill(name);
  await page.getByLabel(/password|lösenord/i).fill(password);
  await page.getByRole('button', { name: /sign in|logga in/i }).click();
  await page.waitForURL((u) => u.pathname === '/console/');
  return page;
}

const problems = [];
try {
  // An agent, on a phone-sized screen for the search.
  const agentContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const agent = await signIn(agentContext, AGENT, problems);
  await agent.getByLabel(/customer number|kundnummer/i).fill(PHONE);
  await agent.getByRole('button', { name: /^search$|^sök$/i }).click();
  await agent.getByRole('link', { name: CUSTOMER, exact: true }).waitFor();
  await shot(agent, 'search-by-phone');
  await agent.setViewportSize({ width: 1280, height: 900 });

  // A personal number written another way opens the customer at once.
  await agent.getByLabel(/customer number|kundnummer/i).fill(REGNO);
  await agent.getByRole('button', { name: /^search$|^sök$/i }).click();
  await agent.waitForURL((u) => u.pathname.endsWith('/' + CUSTOMER));
  await agent.getByRole('heading', { name: /history|historik/i }).waitFor();
  await shot(agent, 'customer');
  const customerURL = agent.url();

  // Edit the e-mail address; the change is in the history, by the agent.
  await agent.getByRole('link', { name: /edit contact data|ändra kontaktuppgifter/i }).click();
  await agent.getByLabel(/e-mail|e-post/i).fill('changed@example.se');
  await agent.getByRole('button', { name: /^save$|^spara$/i }).click();
  await agent.getByText(/the contact data were saved|kontaktuppgifterna sparades/i).waitFor();
  check((await agent.getByText('changed@example.se').count()) > 0, 'the new e-mail address is not shown');
  const historyRow = agent.locator('tr', { hasText: 'customer.updated' }).first();
  await historyRow.waitFor();
  check((await historyRow.innerText()).includes('operator: ' + AGENT.split(':')[0]), 'the history does not name the agent: ' + (await historyRow.innerText()));

  // Two forms of the same customer: the second save meets the first's change.
  const other = await agentContext.newPage();
  watch(other, problems);
  await other.goto(customerURL + '/contact');
  await agent.goto(customerURL + '/contact');
  await agent.getByLabel(/e-mail|e-post/i).fill('first@example.se');
  await agent.getByRole('button', { name: /^save$|^spara$/i }).click();
  await agent.getByText(/the contact data were saved|kontaktuppgifterna sparades/i).waitFor();
  await other.getByLabel(/e-mail|e-post/i).fill('second@example.se');
  await other.getByRole('button', { name: /^save$|^spara$/i }).click();
  await other.getByText(/changed meanwhile|ändrad under tiden/i).waitFor();
  check((await other.getByText('first@example.se').count()) > 0, 'the conflict does not show what is stored now');
  await shot(other, 'conflict');
  await agent.goto(customerURL);
  check((await agent.getByText('first@example.se').count()) > 0, 'the conflicting save overwrote the first');

  // An agent is refused an erasure (and is not offered one).
  check((await agent.getByRole('link', { name: /erase the customer|radera kunden/i }).count()) === 0, 'an agent is offered an erasure');
  const refused = await agent.goto(customerURL + '/erase');
  check(refused.status() === 403, 'an agent opened the erasure: ' + refused.status());
  await agent.getByRole('button', { name: /sign out|logga ut/i }).click();
  await agent.waitForURL((u) => u.pathname === '/console/sign-in');
  await agentContext.close();

  // An admin erases, in Swedish.
  const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const admin = await signIn(adminContext, ADMIN, problems);
  await admin.getByLabel(/language|språk/i).selectOption('sv');
  await admin.getByRole('button', { name: /change|byt/i }).click();
  await admin.getByRole('heading', { name: 'Hitta en kund' }).waitFor();
  await admin.goto(customerURL);
  await admin.getByRole('link', { name: 'Radera kunden' }).click();
  await admin.getByLabel('Skriv kundnumret för att bekräfta').fill(CUSTOMER);
  await admin.getByLabel(/skäl/i).fill('Begäran om radering, ärende 4711');
  await shot(admin, 'erase');
  await admin.getByRole('button', { name: 'Radera för gott' }).click();
  await admin.getByRole('heading', { name: 'Kunden är raderad' }).waitFor();
  const gone = await admin.goto(customerURL);
  check(gone.status() === 410, 'the erased customer still opens: ' + gone.status());
  await adminContext.close();

  if (problems.length > 0) throw new Error(problems.join(' | '));
  console.log('console ok');
} finally {
  await browser.close();
}
