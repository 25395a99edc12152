// Driven by dashboard_browser_breakdown.sh:
//   node dashboard_browser_breakdown.js URL cgroup CGROUP_PATH
//   node dashboard_browser_breakdown.js URL none
// Checks the Targets tab and the top-targets chart against the agent's
// breakdown (from /api/v1/health). Exit 1 on the first broken expectation.
'use strict';
const { launchChromium, watchedPage, checker } = require('./browser_page');

const [url, mode, cgPath] = process.argv.slice(2);
const { check, exitCode } = checker();

(async () => {
  const browser = await launchChromium();
  const errors = [];
  try {
    const page = await watchedPage(browser, errors);
    await page.goto(url + '#targets');
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 15000 });
    const health = await page.evaluate(async () => (await fetch('/api/v1/health')).json());
    check(health.breakdown === mode, `health says breakdown ${mode} (${health.breakdown})`);
    // Rows with a value: the live WebSocket updates have filled the table.
    const rowsOf = () => page.evaluate(() => [...document.querySelectorAll('#targets-table tbody tr')]
      .filter((tr) => tr.children.length > 1).map((tr) => [...tr.children].map((td) => td.textContent)));
    await page.waitForFunction(() => [...document.querySelectorAll('#targets-table tbody tr')]
      .some((tr) => tr.children.length > 1 && /\d/.test(tr.children[3].textContent)), null, { timeout: 20000 })
      .catch(() => {});
    const rows = await rowsOf();
    console.log('     targets:', JSON.stringify(rows.slice(0, 8).map((r) => r[0])));
    const column = await page.textContent('#targets-table th[data-key="target"]');
    const noteShown = await page.isVisible('#targets-note');
    if (mode === 'cgroup') {
      check(column === 'cgroup', `target column is headed cgroup (${column})`);
      check(rows.length >= 2, `targets table has rows (${rows.length})`);
      check(rows.length > 0 && rows.every((r) => r[0].startsWith('/')), 'every target is a cgroup path');
      check(rows.some((r) => r[0] === '/'), 'the root cgroup "/" is a target');
      // Ours, named with HTML, shown as text; its workload's calls and
      // failing opens in its row.
      await page.waitForFunction((p) => [...document.querySelectorAll('#targets-table td.target')]
        .some((td) => td.textContent === p && /\d/.test(td.parentElement.children[3].textContent)), cgPath, { timeout: 20000 })
        .catch(() => {});
      const ours = (await rowsOf()).find((r) => r[0] === cgPath);
      console.log('     our cgroup:', JSON.stringify(ours));
      check(ours !== undefined, `targets table has a row for ${cgPath}`);
      if (ours) {
        check(parseFloat(ours[3]) > 50, `its calls/s are the workload's (${ours[3]})`);
        check(parseFloat(ours[4]) > 50, `its errors/s are the failing opens (${ours[4]})`);
      }
      check(await page.locator('#targets img').count() === 0, 'no HTML from a cgroup name became an element');
      const top = await page.evaluate(() => (window.kscopeState.charts.top.lines || []).map((l) => l.label));
      console.log('     top targets chart:', JSON.stringify(top));
      check(top.length >= 1 && top.every((l) => l.startsWith('/')), 'top targets chart lines are cgroup paths');
      check(!noteShown, 'no breakdown: none note');
    } else {
      check(column === 'target', `target column is headed target (${column})`);
      check(rows.length === 1 && rows[0][0] === 'host', `targets table is the host's one row (${JSON.stringify(rows)})`);
      check(rows.length === 1 && /\d/.test(rows[0][3]), 'the host row has calls/s');
      check(noteShown, 'the page says the table is the host only');
      const note = await page.textContent('#targets-note');
      check(/breakdown: none/.test(note) && /breakdown: cgroup/.test(note), 'the note names the setting and how to change it');
      const top = await page.evaluate(() => (window.kscopeState.charts.top.lines || []).map((l) => l.label));
      check(top.length === 1 && top[0] === 'host', `top targets chart has the host's line (${JSON.stringify(top)})`);
    }
  } finally {
    await browser.close();
  }
  check(errors.length === 0, 'no page errors' + (errors.length ? ': ' + errors.join(' | ') : ''));
  if (exitCode()) process.exit(1);
  console.log('all breakdown checks passed');
})().catch((e) => { console.error(e); process.exit(1); });
