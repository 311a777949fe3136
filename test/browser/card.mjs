// Opens the sandbox card verification page in headless Chromium, as a
// person would: types a card and registers it, or cancels, and waits to land
// on the expected URL. Run by internal/httpapi/browser_test.go with
// PAGE (the redirectUrl), ACTION (register or cancel) and EXPECT (the URL
// the browser must end on).
import { chromium } from 'playwright-core';

const { PAGE, ACTION, EXPECT } = process.env;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  const page = await browser.newPage();
  await page.goto(PAGE);
  if (ACTION === 'register') {
    await page.locator('#cardNumber').pressSequentially('5510 0000 0000 1232');
    await page.locator('#expiry').pressSequentially('04/35');
    await page.locator('#cvc').pressSequentially('123');
    await page.click('#register');
  } else {
    await page.click('#cancel');
  }
  await page.waitForURL(EXPECT, { timeout: 20000 });
  console.log('landed on', page.url());
} finally {
  await browser.close();
}
