// Driven by alert_policy_browser.sh: node alert_policy_browser.js URL TOKEN.
// Clicks the alert card's Acknowledge and Silence 1h, then the silence's
// Expire, checking what the card and the list show after each.
'use strict';
const path = require('path');
const { launchChromium, watchedPage } = require(path.join(__dirname, 'browser_page.js'));

(async () => {
  const [url, token] = process.argv.slice(2);
  const errors = [];
  const browser = await launchChromium();
  try {
    const page = await watchedPage(browser, errors);
    // Sandboxed frames (captured flame graphs) have no storage: only the page.
    await page.addInitScript((t) => { try { sessionStorage.setItem('kscope.token', t); } catch (e) { /* sandboxed */ } }, token);
    page.on('dialog', (d) => d.accept('dash-user'));  // the "your name" prompt
    await page.goto(url + '/');
    const card = page.locator('#alerts .alert', { hasText: 'BrowserOpens' });
    await card.locator('button', { hasText: 'Acknowledge' }).click({ timeout: 15000 });
    await card.locator('.marks', { hasText: 'acknowledged by dash-user' }).waitFor({ timeout: 10000 });
    await card.locator('button', { hasText: 'Silence 1h' }).click({ timeout: 10000 });
    await card.locator('.marks', { hasText: 'silenced by' }).waitFor({ timeout: 10000 });
    const row = page.locator('#silences .silence', { hasText: 'dash-user' });
    await row.waitFor({ timeout: 10000 });
    const text = await row.textContent();
    if (!/alertname="BrowserOpens"/.test(text)) throw new Error('silence row does not show its matchers: ' + text);
    await row.locator('button', { hasText: 'Expire' }).click();
    await page.locator('#silences .silence').waitFor({ state: 'detached', timeout: 10000 });
    if (errors.length) throw new Error('page errors: ' + errors.join('; '));
    console.log('browser: ack, silence and expire worked');
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
