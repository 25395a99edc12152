// Driven by dashboard_services.sh: node dashboard_services.js URL
// Checks the Overview's Services card against the load the script drives.
// Exit 1 on the first broken expectation.
'use strict';
const { launchChromium, watchedPage, checker } = require('./browser_page');

const [url] = process.argv.slice(2);
const { check, exitCode } = checker();

(async () => {
  const browser = await launchChromium();
  const errors = [];
  try {
    const page = await watchedPage(browser, errors);
    await page.goto(url);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 15000 });
    const rowsOf = () => page.evaluate(() => [...document.querySelectorAll('#services-table tbody tr')]
      .filter((tr) => tr.children.length > 1).map((tr) => [...tr.children].map((td) => td.textContent)));
    // The card refreshes every 5 s: wait for all three services.
    await page.waitForFunction(() => {
      const names = [...document.querySelectorAll('#services-table td.target')].map((td) => td.textContent);
      return ['nginx', 'redis-server', '<img src=x>'].every((n) => names.includes(n));
    }, null, { timeout: 25000 }).catch(() => {});
    check(await page.isVisible('#services-card'), 'the Services card is shown');
    const rows = await rowsOf();
    console.log('     services:', JSON.stringify(rows));
    const row = (name) => rows.find((r) => r[0] === name);
    const nginx = row('nginx');
    check(nginx !== undefined, 'nginx has a row');
    if (nginx) {
      check(parseFloat(nginx[1]) > 0, `nginx serves requests (${nginx[1]}/s)`);
      const share = parseFloat(nginx[2]);
      check(share >= 19 && share <= 31, `about a quarter of nginx's requests are 5xx (${nginx[2]})`);
      check(/\d/.test(nginx[5]), `nginx has a p99 (${nginx[5]})`);
    }
    const redis = row('redis-server');
    check(redis !== undefined && parseFloat(redis[6]) > 0, `redis-server serves database operations (${redis && redis[6]})`);
    const hostile = row('<img src=x>');
    check(hostile !== undefined && hostile[2] === '0%', `the HTML-named server is a row of text with 0% 5xx (${hostile && hostile[2]})`);
    check(await page.locator('#services-card img').count() === 0, 'no HTML from a process name became an element');
    // Sort by the 5xx share: nginx first.
    await page.click('#services-table th[data-key="errors"]');
    const sorted = await rowsOf();
    check(sorted.length > 0 && sorted[0][0] === 'nginx', `sorted by 5xx, nginx comes first (${sorted.length && sorted[0][0]})`);
    // The service map: edges to each server, named by the process that
    // listens there; the HTML name as text.
    await page.waitForFunction(() => document.querySelectorAll('#service-map path').length >= 3, null, { timeout: 15000 })
      .catch(() => {});
    check(await page.isVisible('#map-card'), 'the Service map card is shown');
    const nodes = await page.evaluate(() => [...document.querySelectorAll('#service-map .node title')].map((t) => t.textContent));
    const paths = await page.evaluate(() => [...document.querySelectorAll('#service-map path title')].map((t) => t.textContent));
    console.log('     map nodes:', JSON.stringify(nodes));
    console.log('     map edges:', JSON.stringify(paths));
    check(nodes.some((n) => /^nginx 127\.0\.0\.1:\d+$/.test(n)), 'nginx is a server node');
    // curl and redis-cli exit within milliseconds: named all the same, by
    // the name the kernel saw when they connected. (Chromium is a client
    // too, of kscope's own API, when its requests fall in the interval.)
    const clients = nodes.filter((n) => !/ 127\.0\.0\.1:\d+$/.test(n)).sort();
    check(clients.includes('curl') && clients.includes('redis-cli') && !clients.includes('unknown'),
          `the clients curl and redis-cli are named, none unknown (${JSON.stringify(clients)})`);
    check(nodes.some((n) => /^redis-server 127\.0\.0\.1:\d+$/.test(n)), 'redis-server is a server node');
    check(nodes.some((n) => /^<img src=x> 127\.0\.0\.1:\d+$/.test(n)), 'the HTML-named server is a node, as text');
    check(paths.some((p) => /→ nginx .*\(http\): .* · 2\d(\.\d)?% · p99/.test(p)), 'an edge to nginx shows its ~25% failing');
    check(paths.some((p) => /→ redis-server .*\(redis\)/.test(p)), 'an edge to redis-server over redis');
    check(await page.locator('#service-map img, #service-map foreignObject').count() === 0, 'no HTML from a name became an element');
    check(await page.locator('#service-map path.failing').count() >= 1, 'the edge to nginx is drawn as failing');
    check(errors.length === 0, 'no page errors' + (errors.length ? ': ' + errors.join('; ') : ''));
  } finally {
    await browser.close();
  }
  process.exit(exitCode());
})().catch((e) => { console.error(e); process.exit(1); });
