// Shared by the dashboard's browser tests: Chromium as they launch it, and a
// page whose script errors, console errors and failed requests are gathered
// into `errors` (404 allowed only for endpoints a build may not serve).
'use strict';
const { chromium } = require('playwright-core');

function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
}

async function watchedPage(browser, errors) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => errors.push(String(e)));
  // Failed fetches are checked by URL below, not by their console line.
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text()); });
  // Only the endpoints other modules may not provide yet may answer 404.
  page.on('response', (r) => {
    const p = new URL(r.url()).pathname;
    if (r.status() >= 400 && !(r.status() === 404 && ['/api/v1/alerts', '/api/v1/profile'].includes(p))) {
      errors.push(`HTTP ${r.status()} for ${p}`);
    }
  });
  return page;
}

// check(cond, what) prints "ok"/"FAIL" and remembers failures; exitCode()
// says them and is 1 when any check failed.
function checker() {
  const failures = [];
  return {
    check(cond, what) {
      console.log((cond ? 'ok   ' : 'FAIL ') + what);
      if (!cond) failures.push(what);
    },
    exitCode() {
      if (failures.length) console.log(failures.length + ' check(s) failed');
      return failures.length ? 1 : 0;
    },
  };
}

module.exports = { launchChromium, watchedPage, checker };
