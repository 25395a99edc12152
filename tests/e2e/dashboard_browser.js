// Driven by dashboard_browser.sh: node dashboard_browser.js URL OUTDIR.
// Fails (exit 1) with a message on the first broken expectation.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { launchChromium, watchedPage } = require('./browser_page');

const [url, outDir] = process.argv.slice(2);
const failures = [];
function check(cond, what) {
  console.log((cond ? 'ok   ' : 'FAIL ') + what);
  if (!cond) failures.push(what);
}

// Decodes an 8-bit RGB(A) non-interlaced PNG (what Chromium writes) and
// returns {width, height, distinctColors, busyFraction}: busy pixels differ
// from the top-left (background) colour. A blank or broken page has few
// colours and almost no busy pixels.
function inspectPng(file) {
  const buf = fs.readFileSync(file);
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error(file + ' is not a PNG');
  let off = 8, width = 0, height = 0, depth = 0, ctype = 0;
  const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off), type = buf.toString('ascii', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') { width = data.readUInt32BE(0); height = data.readUInt32BE(4); depth = data[8]; ctype = data[9]; }
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  if (depth !== 8 || (ctype !== 2 && ctype !== 6)) throw new Error('unexpected PNG format');
  const bpp = ctype === 6 ? 4 : 3, stride = width * bpp;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)], src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[y * stride + x - bpp] : 0, b = y ? px[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y ? px[(y - 1) * stride + x - bpp] : 0;
      let v = src[x];
      if (f === 1) v += a; else if (f === 2) v += b; else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) { const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c); v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c; }
      px[y * stride + x] = v & 0xff;
    }
  }
  const colors = new Set();
  let busy = 0;
  const bg = px.readUIntBE(0, 3);
  for (let i = 0; i < px.length; i += bpp) {
    const c = px.readUIntBE(i, 3);
    colors.add(c);
    if (c !== bg) busy++;
  }
  return { width, height, distinctColors: colors.size, busyFraction: busy / (width * height) };
}

// The x-axis tick labels of every chart, as uPlot drew them on its canvas:
// each label's box from its tick position and its measured text width in
// the axis font; returns the pairs of neighbours that overlap (less than
// 4 px apart) or a label cut by the canvas edge.
async function xLabelClashes(page) {
  return page.evaluate(() => {
    const clashes = [];
    let labels = 0;
    const measure = document.createElement('canvas').getContext('2d');
    for (const [id, c] of Object.entries(window.kscopeState.charts)) {
      const u = c.u;
      if (!u) continue;
      const axis = u.axes[0];
      measure.font = axis.font[0];
      const boxes = [];
      (axis._values || []).forEach((v, i) => {
        if (v == null || v === '') return;
        const x = u.valToPos(axis._splits[i], 'x', true);
        const w = Math.max(...String(v).split('\n').map((t) => measure.measureText(t).width));
        boxes.push({ text: String(v).replace('\n', ' '), lo: x - w / 2, hi: x + w / 2 });
      });
      labels += boxes.length;
      const gap = 4 * devicePixelRatio;
      for (let i = 1; i < boxes.length; i++) {
        if (boxes[i].lo - boxes[i - 1].hi < gap) clashes.push(`${id}: "${boxes[i - 1].text}" and "${boxes[i].text}"`);
      }
      for (const b of boxes) {
        if (b.lo < 0 || b.hi > u.ctx.canvas.width) clashes.push(`${id}: "${b.text}" cut by the edge`);
      }
    }
    return { labels, clashes };
  });
}

async function checkXLabels(page, layout) {
  const { labels, clashes } = await xLabelClashes(page);
  console.log(`     ${layout}: ${labels} x-axis labels`);
  check(labels >= 2, `${layout}: charts have x-axis labels`);
  check(clashes.length === 0, `${layout}: no x-axis labels overlap` + (clashes.length ? ': ' + clashes.join('; ') : ''));
}

async function shoot(page, name, minColors) {
  const file = path.join(outDir, name + '.png');
  await page.screenshot({ path: file, fullPage: false });
  const info = inspectPng(file);
  console.log(`     ${file}: ${info.width}x${info.height}, ${info.distinctColors} colours, ${(info.busyFraction * 100).toFixed(1)}% non-background`);
  check(info.distinctColors >= minColors, `${name} screenshot has >= ${minColors} colours`);
  check(info.busyFraction > 0.05, `${name} screenshot is not blank`);
}

(async () => {
  const browser = await launchChromium();
  const errors = [];
  try {
    const page = await watchedPage(browser, errors);
    await page.goto(url + '?theme=dark');
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 15000 });
    // Live data: at least 3 intervals of WebSocket points into the charts.
    await page.waitForFunction(() => window.kscopeState.points >= 12, null, { timeout: 20000 });
    check(true, 'live WebSocket points arrived');
    check(await page.locator('#live.on').count() === 1, 'live indicator is on');
    // Request capture is off here (probes.l7's default): no empty Services card.
    check(!(await page.isVisible('#services-card')), 'no Services card without request capture');
    const counts = await page.evaluate(() => Object.fromEntries(Object.entries(window.kscopeState.charts).map(
      ([id, c]) => [id, c.u ? c.data.slice(1).reduce((n, col) => n + col.filter((v) => v != null).length, 0) : -1])));
    console.log('     non-null chart points:', JSON.stringify(counts));
    check(counts.latency >= 3, 'latency chart has points');
    check(counts.traffic >= 3, 'traffic chart has points');
    check(counts.errors >= 1, 'errors chart has points');
    check(await page.locator('#chart-latency canvas').count() >= 1, 'latency chart drew a canvas');
    await checkXLabels(page, 'wide');
    const lat = await page.textContent('#v-latency');
    const traffic = await page.textContent('#v-traffic');
    check(/\d/.test(lat) && /(ns|µs|ms|s)$/.test(lat), `latency tile shows a duration (${lat})`);
    check(/\d/.test(traffic), `traffic tile shows a rate (${traffic})`);
    const sat = await page.textContent('#chart-saturation');
    check(sat.length > 0, 'saturation panel shows a chart or why not');
    check((await page.textContent('#alerts')).trim().length > 0, 'alerts panel says something');
    // The pending alert of dashboard_browser.sh's rule: the numbers behind
    // it in the rule's units, and since when, as /api/v1/alerts says.
    await page.waitForSelector('#alerts .alert .facts', { timeout: 20000 });
    const card = await page.evaluate(async () => {
      const c = document.querySelector('#alerts .alert');
      const api = await (await fetch('/api/v1/alerts')).json();
      const a = api.alerts.find((x) => x.rule === 'BrowserCardBusy');
      return { rule: c.querySelector('.rule').textContent, detail: c.querySelector('.detail').textContent,
               facts: c.querySelector('.facts').textContent, imgs: document.querySelectorAll('#alerts img').length,
               apiSince: a ? kfmt.clock(Date.parse(a.since) / 1000, true) : null, apiThreshold: a ? a.threshold_text : null };
    });
    console.log('     alert card:', JSON.stringify(card));
    check(card.rule === 'BrowserCardBusy (pending)', 'alert card names the pending rule');
    check(card.detail.includes('target <img src=x>') && card.imgs === 0, 'alert card shows the HTML target name as text');
    check(/^value [\d.]+[k]?\/s, threshold 10\/s, since \d\d:\d\d:\d\d \(for \d+s\)$/.test(card.facts),
          `alert card shows value, threshold and since (${card.facts})`);
    check(card.apiThreshold === '10/s' && card.apiSince !== null && card.facts.includes('since ' + card.apiSince),
          'alert card threshold and since are the API\'s');
    await shoot(page, 'dashboard-dark', 40);

    await page.click('#theme');
    await page.waitForTimeout(300);
    check(await page.evaluate(() => document.documentElement.dataset.theme) === 'light', 'theme switches to light');
    await shoot(page, 'dashboard-light', 40);

    await page.click('#tab-targets');
    await page.waitForFunction(() => document.querySelectorAll('#targets-table tbody tr td.target').length >= 2,
                               null, { timeout: 10000 });
    const rows = await page.locator('#targets-table tbody tr').count();
    check(rows >= 2, `targets table lists targets (${rows})`);
    // The hot process first: the table opens sorted by its CPU column.
    check(await page.textContent('#targets-table th.sorted') === 'CPU cores', 'targets table opens sorted by CPU cores');
    const cpu = await page.evaluate(() => [...document.querySelectorAll('#targets-table tbody tr')].map(
      (tr) => tr.children[1].textContent));
    const cpuValues = cpu.map((t) => (/^[0-9.]+$/.test(t) ? parseFloat(t) : -1));
    check(cpuValues.every((v, i) => i === 0 || v <= cpuValues[i - 1]), `CPU column is in descending order (${cpu.slice(0, 5).join(', ')})`);
    check(/CPU cores/.test(await page.textContent('#overview')), 'top targets chart ranks by CPU cores');
    await page.click('#targets-table th[data-key="traffic"]');
    const sorted = await page.evaluate(() => [...document.querySelectorAll('#targets-table tbody tr')].map(
      (tr) => tr.children[3].textContent));
    console.log('     calls/s column after sorting:', sorted.slice(0, 5).join(', '));
    await shoot(page, 'targets-light', 20);

    // Resources tab: host tiles from node_* families, the loop device that
    // dashboard_browser.sh writes to, and its CPU-limited cgroup whose name
    // is HTML.
    await page.click('#tab-resources');
    await page.waitForSelector('#resources[data-loaded="true"]', { timeout: 15000 });
    const disk = process.env.KSCOPE_E2E_DISK;
    const cgName = process.env.KSCOPE_E2E_CGROUP;
    const diskRow = await page.waitForFunction((d) => {
      const tr = [...document.querySelectorAll('#disks-table tbody tr')].find((r) => r.dataset.key === d);
      return tr && /\d/.test(tr.children[1].textContent) && /%$/.test(tr.children[2].textContent)
        ? [...tr.children].map((td) => td.textContent) : null;
    }, disk, { timeout: 30000 }).then((h) => h.jsonValue()).catch(() => null);
    console.log('     disk row:', JSON.stringify(diskRow));
    check(diskRow !== null, `disks table has a row for ${disk} with p99 and utilisation`);
    if (diskRow) {
      check(/^[\d.]+ (ns|µs|ms|s)$/.test(diskRow[1]), `${disk} p99 is a duration (${diskRow[1]})`);
      check(/^[\d.]+%$/.test(diskRow[2]) && parseFloat(diskRow[2]) <= 100, `${disk} utilisation is a percent (${diskRow[2]})`);
      check(parseFloat(diskRow[3]) > 0, `${disk} has IOPS (${diskRow[3]})`);
      check(/ (B|KiB|MiB)\/s$/.test(diskRow[4]), `${disk} has throughput (${diskRow[4]})`);
    }
    const tiles = await page.evaluate(() => Object.fromEntries(['cpu', 'memory', 'pressure', 'disk'].map(
      (id) => [id, [document.getElementById('v-' + id).textContent, document.getElementById('s-' + id).textContent]])));
    console.log('     resource tiles:', JSON.stringify(tiles));
    check(/^[\d.]+%$/.test(tiles.cpu[0]) && / of \d+ cores$/.test(tiles.cpu[1]), `CPU tile shows busy % of the cores (${tiles.cpu})`);
    const memTotal = parseFloat(fs.readFileSync('/proc/meminfo', 'utf8').match(/MemTotal:\s+(\d+)/)[1]) * 1024;
    check(/^[\d.]+%$/.test(tiles.memory[0]) && parseFloat(tiles.memory[0]) > 0 && parseFloat(tiles.memory[0]) < 100,
          `memory tile shows a used share above 0 (${tiles.memory[0]})`);
    check(tiles.memory[1].endsWith(' of ' + await page.evaluate((b) => kfmt.bytes(b), memTotal)),
          `memory tile's total is /proc/meminfo's MemTotal (${tiles.memory[1]})`);
    if (fs.existsSync('/proc/pressure/memory')) {
      check(/^[\d.]+%$/.test(tiles.pressure[0]) && /^cpu [\d.]+% · io [\d.]+%$/.test(tiles.pressure[1]),
            `pressure tile shows PSI some for memory, cpu and io (${tiles.pressure})`);
    }
    check(await page.evaluate((d) => (window.kscopeState.charts.disklat.lines || []).some((l) => l.label === d), disk),
          `disk latency chart has a line for ${disk}`);
    // The cgroup: found by its path (the cell's title), shown as text.
    const cgRow = await page.waitForFunction((name) => {
      const tr = [...document.querySelectorAll('#cgroups-table td.target')]
        .filter((c) => c.title === name || c.title.endsWith('/' + name)).map((c) => c.parentElement)
        .find((r) => /%$/.test(r.children[3].textContent) && /%$/.test(r.children[5].textContent));
      return tr ? [...tr.children].map((c) => c.textContent) : null;
    }, cgName, { timeout: 30000 }).then((h) => h.jsonValue()).catch(() => null);
    console.log('     cgroup row:', JSON.stringify(cgRow));
    check(cgRow !== null, 'cgroups table lists the limited cgroup with a throttled share');
    if (cgRow) {
      check(cgRow[0] === cgName || cgRow[0].endsWith('/' + cgName), `cgroup name shown as text (${cgRow[0]})`);
      check(cgRow[2] === '0.10', `CPU limit is the quota, 0.1 cores (${cgRow[2]})`);
      check(parseFloat(cgRow[1]) > 0.05 && parseFloat(cgRow[1]) < 0.2, `CPU used is near the 0.1-core quota (${cgRow[1]})`);
      check(parseFloat(cgRow[3]) > 50, `a busy loop at 10% of a CPU is throttled in most periods (${cgRow[3]})`);
      check(/^[\d.]+%$/.test(cgRow[5]), `memory is shown against its limit (${cgRow[5]})`);
    }
    check(await page.locator('#resources img').count() === 0, 'no HTML from a cgroup name became an element');
    await shoot(page, 'resources-light', 20);

    // Flame graph tab: a recorded profile, or the explanation when the
    // profile endpoint is not there yet.
    await page.click('#tab-flame');
    await page.fill('#flame-seconds', '2');
    await page.click('#flame-record');
    await page.waitForFunction(() => ['rendered', 'unavailable', 'error'].includes(document.getElementById('flame-frame').dataset.state),
                               null, { timeout: 60000 });
    const flameState = await page.getAttribute('#flame-frame', 'data-state');
    if (flameState === 'rendered') {
      const frame = page.frameLocator('#flame-frame');
      const frames = await frame.locator('svg').count();
      check(frames >= 1, 'flame graph SVG rendered in the frame');
      const rects = await frame.locator('rect').count();
      check(rects >= 3, `flame graph has frames (${rects} rects)`);
    } else {
      const msg = await page.textContent('#flame-status');
      console.log('     flame graph tab says:', msg);
      check(flameState === 'unavailable' && /404/.test(msg) && /kscope profile/.test(msg),
            'flame graph tab explains that profiles are unavailable (404)');
    }
    await shoot(page, 'flame-light', 10);

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
    phone.on('pageerror', (e) => errors.push(String(e)));
    await phone.goto(url + '?theme=dark');
    await phone.waitForSelector('body[data-loaded="true"]', { timeout: 15000 });
    await phone.waitForFunction(() => window.kscopeState.points >= 4, null, { timeout: 20000 });
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, `phone layout has no horizontal scroll (${overflow}px)`);
    await checkXLabels(phone, 'phone');
    await shoot(phone, 'dashboard-phone-dark', 30);
  } finally {
    await browser.close();
  }
  check(errors.length === 0, 'no page errors' + (errors.length ? ': ' + errors.join(' | ') : ''));
  if (failures.length) {
    console.log(`${failures.length} check(s) failed`);
    process.exit(1);
  }
  console.log('all browser checks passed');
})().catch((e) => { console.error(e); process.exit(1); });
