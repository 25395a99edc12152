// The kscope dashboard: golden signals over the last hour from
// /api/v1/query, kept live over /ws. Every text that came from a watched
// process is set with textContent, never parsed as HTML.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const state = {
    token: sessionStorage.getItem('kscope.token') || '',
    range: Number(localStorage.getItem('kscope.range') || 900),
    interval: 1,
    charts: {},      // id -> {u, data, def}
    targets: {},     // signal -> [{labels, value}]
    sortKey: 'cpu',
    services: [],    // the Services card's rows
    serviceSort: 'rate',
    serviceEdges: [], // the service map's edges
    by: 'comm',      // the agent's breakdown label; '' with breakdown: none
    topics: [],
    ws: null,
    points: 0,       // live points received (the browser test reads it)
  };
  window.kscopeState = state;

  // What each chart shows: one or more queries, each a line.
  const LAT = 'kscope_syscall_latency_seconds';
  // Idle waits (epoll_wait, sleeps, futex waits) are waiting for work, not
  // slowness: latency charts leave them out, traffic counts them.
  const LAT_BUSY = LAT + '{idle!="true"}';
  const ERR = 'kscope_syscall_errors_total';
  const RUNQ = 'kscope_runqueue_latency_seconds';
  const RETX = 'kscope_tcp_retransmits_total';
  const charts = {
    latency: { unit: 'seconds', lines: [
      { id: 'lat-p50', label: 'p50', q: { name: LAT_BUSY, aggregation: 'p50' }, color: '--c3' },
      { id: 'lat-p99', label: 'p99', q: { name: LAT_BUSY, aggregation: 'p99' }, color: '--c1' },
      { id: 'lat-p999', label: 'p99.9', q: { name: LAT_BUSY, aggregation: 'p999' }, color: '--c4' }] },
    traffic: { unit: 'count', lines: [
      { id: 'traffic', label: 'syscalls/s', q: { name: LAT, aggregation: 'rate' }, color: '--c3' }] },
    errors: { unit: 'count', lines: [
      { id: 'errors', label: 'failed syscalls/s', q: { name: ERR, aggregation: 'rate' }, color: '--c2' },
      { id: 'retx', label: 'TCP retransmits/s', q: { name: RETX, aggregation: 'rate' }, color: '--c5' }] },
    saturation: { unit: 'seconds', lines: [
      { id: 'runq-p99', label: 'run-queue p99', q: { name: RUNQ, aggregation: 'p99' }, color: '--c4' },
      { id: 'runq-p50', label: 'run-queue p50', q: { name: RUNQ, aggregation: 'p50' }, color: '--c6' }] },
  };
  // The CPU column ranks what is hot: cores kept busy, from the samples.
  const CPU = 'kscope_cpu_seconds_total';
  const targetQueries = {
    cpu: { name: CPU, aggregation: 'rate' },
    latency: { name: LAT_BUSY, aggregation: 'p99' },
    traffic: { name: LAT, aggregation: 'rate' },
    errors: { name: ERR, aggregation: 'rate' },
    saturation: { name: RUNQ, aggregation: 'p99' },
  };
  // A target is a value of the agent's breakdown label (`breakdown:` in its
  // config, told by /api/v1/health): a process name (comm) or a cgroup path
  // (cgroup). With breakdown: none there is no such label, and the one row
  // is the host.
  function targetQuery(sig) {
    return Object.assign({}, targetQueries[sig], state.by ? { by: state.by, limit: 50 } : {});
  }
  function targetName(labels) {
    if (!state.by) return 'host';
    const v = labels[state.by];
    return v === undefined ? '(all)' : v === '' ? '(unnamed)' : String(v);
  }
  function setBreakdown(breakdown) {
    state.by = breakdown === 'none' ? '' : breakdown || 'comm';
    const column = { comm: 'process', cgroup: 'cgroup' }[state.by] || 'target';
    document.querySelector('#targets-table th[data-key="target"]').textContent = column;
    $('targets-by').textContent = state.by ? 'by ' + column : 'host only';
    $('targets-note').hidden = state.by !== '';
  }
  const TOP_N = 5;

  // The Resources tab: host and per-cgroup families (node_exporter's names,
  // kscope_block_io_*, kscope_cgroup_*). Its charts load with the others;
  // its tiles and tables poll /api/v1/query (they need more queries than a
  // WebSocket client may subscribe to) while the tab is shown.
  const PSI = (r) => 'node_pressure_' + r + '_waiting_seconds_total';
  const BLK = 'kscope_block_io_latency_seconds';
  charts.psi = { unit: 'percent', lines: [
    { id: 'psi-cpu', label: 'cpu', q: { name: PSI('cpu'), aggregation: 'rate' }, color: '--c1' },
    { id: 'psi-memory', label: 'memory', q: { name: PSI('memory'), aggregation: 'rate' }, color: '--c5' },
    { id: 'psi-io', label: 'io', q: { name: PSI('io'), aggregation: 'rate' }, color: '--c2' }] };
  const CG_BY = 'cgroup,service,container_id,pod_uid';
  const resourceQueries = {
    cpuBusy: { name: 'node_cpu_seconds_total{mode!~"idle|iowait|steal"}', aggregation: 'rate' },
    cpuAll: { name: 'node_cpu_seconds_total', aggregation: 'rate' },
    memTotal: { name: 'node_memory_MemTotal_bytes', aggregation: 'avg' },
    memAvail: { name: 'node_memory_MemAvailable_bytes', aggregation: 'avg' },
    psiCpu: { name: PSI('cpu'), aggregation: 'rate' },
    psiMemory: { name: PSI('memory'), aggregation: 'rate' },
    psiIo: { name: PSI('io'), aggregation: 'rate' },
    diskP99: { name: BLK, aggregation: 'p99', by: 'device', limit: 50 },
    diskIops: { name: BLK, aggregation: 'rate', by: 'device', limit: 50 },
    diskBytes: { name: 'kscope_block_io_bytes_total', aggregation: 'rate', by: 'device', limit: 50 },
    diskBusy: { name: 'node_disk_io_time_seconds_total', aggregation: 'rate', by: 'device', limit: 50 },
    cgCpu: { name: 'kscope_cgroup_cpu_seconds_total', aggregation: 'rate', by: CG_BY, limit: 100 },
    cgLimit: { name: 'kscope_cgroup_cpu_limit_cores', aggregation: 'avg', by: CG_BY },
    cgPeriods: { name: 'kscope_cgroup_cpu_periods_total', aggregation: 'rate', by: CG_BY },
    cgThrottled: { name: 'kscope_cgroup_cpu_throttled_periods_total', aggregation: 'rate', by: CG_BY },
    cgMem: { name: 'kscope_cgroup_memory_working_set_bytes', aggregation: 'avg', by: CG_BY, limit: 100 },
    cgMemLimit: { name: 'kscope_cgroup_memory_limit_bytes', aggregation: 'avg', by: CG_BY },
    cgOom: { name: 'kscope_cgroup_memory_events_total{event="oom_kill"}', aggregation: 'increase', by: CG_BY },
  };

  // The Services card (Overview): what each process served, from request
  // capture (probes.l7). Hidden while kscope exports no request family.
  const HTTP_SRV = 'http_server_request_duration_seconds';
  const DB_SRV = 'kscope_db_server_operation_duration_seconds';
  const serviceQueries = {
    rate: { name: HTTP_SRV, aggregation: 'rate' },
    failed: { name: HTTP_SRV + '{http_response_status_code=~"5.."}', aggregation: 'rate' },
    p50: { name: HTTP_SRV, aggregation: 'p50' },
    p95: { name: HTTP_SRV, aggregation: 'p95' },
    p99: { name: HTTP_SRV, aggregation: 'p99' },
    db: { name: DB_SRV, aggregation: 'rate' },
    dbP99: { name: DB_SRV, aggregation: 'p99' },
  };

  // ---- HTTP with the optional token -------------------------------------
  async function api(path, init) {
    const headers = state.token ? { Authorization: 'Bearer ' + state.token } : {};
    const opts = Object.assign({}, init || {});
    opts.headers = Object.assign(headers, (init && init.headers) || {});
    const r = await fetch(path, opts);
    if (r.status === 401) {
      await askToken();
      return api(path, init);
    }
    return r;
  }
  function askToken() {
    return new Promise((resolve) => {
      const d = $('token-dialog');
      $('token-form').onsubmit = () => {
        state.token = $('token-input').value.trim();
        sessionStorage.setItem('kscope.token', state.token);
        resolve();
      };
      if (!d.open) d.showModal();
    });
  }
  function qs(q, extra) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(Object.assign({}, q, extra))) p.set(k, String(v));
    return p.toString();
  }

  // ---- Theme --------------------------------------------------------------
  function applyTheme(t) {
    document.documentElement.dataset.theme = t;
    localStorage.setItem('kscope.theme', t);
  }
  function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
  const params = new URLSearchParams(location.search);
  applyTheme(params.get('theme') || localStorage.getItem('kscope.theme') ||
             (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  $('theme').onclick = () => {
    applyTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
    for (const id of Object.keys(state.charts)) rebuildChart(id);
  };

  // ---- Charts -------------------------------------------------------------
  const fmt = (unit) => (unit === 'seconds' ? kfmt.seconds : unit === 'cores' ? kfmt.cores
    : unit === 'percent' ? kfmt.percent : unit === 'bytes' ? kfmt.bytes : kfmt.count);
  function chartOptions(el, def, labels) {
    const axis = { stroke: css('--muted'), grid: { stroke: css('--grid'), width: 1 }, ticks: { stroke: css('--grid') } };
    const f = fmt(def.unit);
    return {
      width: Math.max(200, el.clientWidth), height: el.clientWidth < 480 ? 170 : 200,
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      // Latencies span decades (p50 in µs, p99.9 in s): a log axis keeps
      // every line readable.
      scales: { x: { time: true }, y: def.unit === 'seconds' ? { distr: 3, log: 10 }
        : { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [Object.assign({}, axis, timeAxis), Object.assign({}, axis, { size: 64, values: (u, vals) => vals.map((v) => (v == null ? '' : f(v))) },
        def.unit === 'seconds' ? { splits: decades } : {})],
      series: [{}].concat(labels.map((l, i) => ({
        label: l.label, stroke: css(l.color || '--c' + ((i % 6) + 1)), width: 1.6,
        fill: i === 0 && labels.length === 1 ? css(l.color || '--c1') + '22' : undefined,
        value: (u, v) => f(v), spanGaps: true, points: { show: false } }))),
    };
  }
  // The time axis: whole-second steps and one short label a tick. uPlot's
  // own labels put the date and time under the first tick
  // (":52.000 12/6/26 7:57pm") and ticks 50 px apart, so the first label ran
  // into the second; 24-hour "19:57:52" labels at least 72 px apart do not
  // (tests/e2e/dashboard_browser.js measures them).
  const timeAxis = {
    space: 72,
    incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400],
    // The filter below leaves null for a tick without a label: no text there
    // (a clock of null would print the epoch, "00:00:00", at the edge).
    values: (u, splits, axisIdx, space, incr) => splits.map((t) => (t == null ? '' : kfmt.clock(t, incr < 60))),
    // A tick within half a label of the plot's edge would have its label
    // cut by the canvas (uPlot centres labels on ticks): no label there.
    filter: (u, splits) => splits.map((t) => {
      const x = u.valToPos(t, 'x');
      return x < 30 || x > u.bbox.width / devicePixelRatio - 30 ? null : t;
    }),
  };
  // Grid lines and labels at powers of ten only (uPlot's log axis would
  // also draw every 2x..9x line).
  function decades(u, axisIdx, min, max) {
    const out = [];
    const lo = Math.floor(Math.log10(Math.max(min, 1e-9))), hi = Math.ceil(Math.log10(Math.max(max, 1e-9)));
    for (let p = lo; p <= hi; p++) out.push(Math.pow(10, p));
    return out;
  }
  function rebuildChart(id) {
    const c = state.charts[id];
    if (!c) return;
    const el = $('chart-' + id);
    el.textContent = '';
    if (c.lines.length === 0) {
      const empty = document.createElement('div');
      empty.className = 'empty';
      empty.textContent = c.emptyText || 'no data yet';
      el.appendChild(empty);
      c.u = null;
      return;
    }
    c.u = new uPlot(chartOptions(el, c.def, c.lines), c.data, el);
  }
  function setChart(id, def, lines, data, emptyText) {
    state.charts[id] = { def, lines, data, emptyText, u: null };
    rebuildChart(id);
  }
  new ResizeObserver(() => {
    for (const c of Object.values(state.charts)) {
      if (!c.u) continue;
      const el = c.u.root.parentElement;
      c.u.setSize({ width: Math.max(200, el.clientWidth), height: el.clientWidth < 480 ? 170 : 200 });
    }
  }).observe(document.querySelector('main'));

  // Loads a chart's history; only lines whose metric exists are drawn.
  async function loadChart(id) {
    const def = charts[id];
    const results = await Promise.all(def.lines.map(async (l) => {
      const r = await api('/api/v1/query?' + qs(l.q, { start: '-' + state.range + 's', step: stepFor() }));
      return r.ok ? r.json() : null;
    }));
    const lines = [];
    let ts = null;
    const cols = [];
    def.lines.forEach((l, i) => {
      const r = results[i];
      if (!r || !r.found) return;
      ts = ts || r.timestamps;
      lines.push(l);
      cols.push(r.series.length ? r.series[0].values : r.timestamps.map(() => null));
    });
    const missing = def.lines.filter((l, i) => !results[i] || !results[i].found).map((l) => l.q.name);
    const emptyText = id === 'saturation'
      ? 'No scheduler data: the sched probe is not loaded on this kscope (run `kscope check`).'
      : id === 'psi' ? 'No pressure stall information: /proc/pressure is missing (a kernel booted with psi=0?); `kscope check` says.'
      : 'No data yet for ' + [...new Set(missing)].join(', ');
    setChart(id, def, lines, ts ? trimLeadingGaps([ts].concat(cols)) : [[]], emptyText);
    return lines;
  }
  // Drops the points from before the history began, so a young kscope's
  // charts span what it has seen rather than an empty hour.
  function trimLeadingGaps(data) {
    let first = 0;
    while (first < data[0].length && data.slice(1).every((col) => col[first] == null)) first++;
    return data.map((col) => col.slice(first));
  }
  function stepFor() { return Math.max(state.interval, Math.round(state.range / 300)); }

  async function loadTopChart() {
    const r = await api('/api/v1/query?' + qs(targetQuery('cpu'),
      { start: '-' + state.range + 's', step: stepFor(), limit: TOP_N }));
    const j = r.ok ? await r.json() : null;
    const lines = j && j.found ? j.series.map((s, i) => ({
      label: targetName(s.labels), color: '--c' + ((i % 6) + 1) })) : [];
    const data = j && j.found ? trimLeadingGaps([j.timestamps].concat(j.series.map((s) => s.values))) : [[]];
    setChart('top', { unit: 'cores' }, lines, data, 'No per-target data yet');
  }

  function appendPoint(chartId, lineIndex, t, v) {
    const c = state.charts[chartId];
    if (!c || !c.u) return;
    const d = c.data;
    if (d[0][d[0].length - 1] !== t) {
      d[0].push(t);
      for (let i = 1; i < d.length; i++) d[i].push(null);
      const cutoff = t - state.range;
      while (d[0].length && d[0][0] < cutoff) for (const col of d) col.shift();
    }
    d[lineIndex + 1][d[0].length - 1] = v;
    c.dirty = true;
  }
  function redraw() {
    for (const c of Object.values(state.charts)) {
      if (c.u && c.dirty) { c.u.setData(c.data); c.dirty = false; }
    }
  }

  // Disk latency p99, a line per device (the busiest 6).
  async function loadDiskChart() {
    const r = await api('/api/v1/query?' + qs(resourceQueries.diskP99,
      { start: '-' + state.range + 's', step: stepFor(), limit: 6 }));
    const j = r.ok ? await r.json() : null;
    const lines = j && j.found ? j.series.map((s, i) => ({
      id: 'dev-' + i, label: String(s.labels.device), color: '--c' + ((i % 6) + 1) })) : [];
    const data = j && j.found ? trimLeadingGaps([j.timestamps].concat(j.series.map((s) => s.values))) : [[]];
    setChart('disklat', { unit: 'seconds' }, lines, data,
             'No block I/O seen yet (or the block probe is not loaded: `kscope check`).');
  }

  // ---- Resources: tiles and tables -----------------------------------------
  // The latest value of each group over a short window: a rate over the
  // window, not one interval's noise.
  function resourceWindow() { return Math.max(30, 5 * state.interval); }
  async function queryLatest(q) {
    const w = resourceWindow();
    const r = await api('/api/v1/query?' + qs(q, { start: '-' + w + 's', step: w + 's' }));
    if (!r.ok) return null;
    const j = await r.json();
    if (!j.found) return null;
    return j.series.map((s) => {
      let v = null;
      for (let k = s.values.length - 1; k >= 0 && v == null; k--) v = s.values[k];
      return { labels: s.labels, value: v };
    });
  }
  // The sum of each group's points over the page's range (counts of events).
  async function queryTotal(q) {
    const r = await api('/api/v1/query?' + qs(q, { start: '-' + state.range + 's', step: stepFor() }));
    if (!r.ok) return null;
    const j = await r.json();
    if (!j.found) return null;
    return j.series.map((s) => ({ labels: s.labels, value: s.values.reduce((a, v) => a + (v || 0), 0) }));
  }
  const one = (series) => (series && series.length ? series[0].value : null);
  const cgKey = (labels) => [labels.cgroup, labels.service, labels.container_id, labels.pod_uid].join('\u0000');
  async function loadResources() {
    const keys = Object.keys(resourceQueries);
    const got = await Promise.all(keys.map((k) => (k === 'cgOom' ? queryTotal : queryLatest)(resourceQueries[k])));
    const res = Object.fromEntries(keys.map((k, i) => [k, got[i]]));
    state.resources = res;
    renderResourceTiles(res);
    renderDisks(res);
    renderCgroups(res);
    document.getElementById('resources').dataset.loaded = 'true';
  }
  function renderResourceTiles(res) {
    const busy = one(res.cpuBusy), all = one(res.cpuAll);
    if (all == null) setTile('cpu', 'n/a', 'no node_cpu_seconds_total (resources.host off?)');
    else setTile('cpu', kfmt.percent(all > 0 ? (busy || 0) / all : null), kfmt.cores(busy || 0) + ' of ' + Math.round(all) + ' cores');
    const total = one(res.memTotal), avail = one(res.memAvail);
    if (total == null || avail == null) setTile('memory', 'n/a', 'no node_memory_* (resources.host off?)');
    else setTile('memory', kfmt.percent((total - avail) / total), kfmt.bytes(total - avail) + ' of ' + kfmt.bytes(total));
    const mem = one(res.psiMemory), cpu = one(res.psiCpu), io = one(res.psiIo);
    if (mem == null && cpu == null && io == null) setTile('pressure', 'n/a', 'no node_pressure_* (resources.host off, or no /proc/pressure)');
    else setTile('pressure', kfmt.percent(mem), 'cpu ' + kfmt.percent(cpu) + ' · io ' + kfmt.percent(io));
    const disks = (res.diskP99 || []).filter((s) => s.value != null).sort((a, b) => b.value - a.value);
    if (!disks.length) setTile('disk', '–', 'no block I/O in the last ' + resourceWindow() + ' s');
    else setTile('disk', kfmt.seconds(disks[0].value), String(disks[0].labels.device));
    $('tile-memory').classList.toggle('firing', mem != null && mem > 0.1);
    $('tile-disk').classList.toggle('firing', disks.length > 0 && disks[0].value > 0.1);
  }
  // A table body from rows of [text, class, title?]; text only.
  function fillTable(id, rows, emptyText, columns) {
    const tbody = document.querySelector('#' + id + ' tbody');
    tbody.textContent = '';
    for (const r of rows) {
      const tr = document.createElement('tr');
      if (r.key !== undefined) tr.dataset.key = r.key;
      for (const [text, cls, title] of r.cells) {
        const td = document.createElement('td');
        td.className = cls || '';
        td.textContent = text;
        if (title) td.title = title;
        tr.appendChild(td);
      }
      tbody.appendChild(tr);
    }
    if (!rows.length) {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = columns; td.className = 'muted'; td.textContent = emptyText;
      tr.appendChild(td); tbody.appendChild(tr);
    }
  }
  function renderDisks(res) {
    const rows = new Map();
    const put = (series, field) => {
      for (const s of series || []) {
        const dev = String(s.labels.device);
        if (!rows.has(dev)) rows.set(dev, { device: dev });
        rows.get(dev)[field] = s.value;
      }
    };
    put(res.diskP99, 'p99'); put(res.diskIops, 'iops'); put(res.diskBytes, 'bytes'); put(res.diskBusy, 'busy');
    // Devices that did I/O first, then the busiest; idle partitions and
    // loop devices last.
    const list = [...rows.values()].sort((a, b) => (b.iops || 0) - (a.iops || 0) || (b.busy || 0) - (a.busy || 0) ||
                                         a.device.localeCompare(b.device));
    const sev = (v, warn, bad) => (v == null ? 'num' : v > bad ? 'num bad' : v > warn ? 'num warn' : 'num');
    fillTable('disks-table', list.slice(0, 50).map((d) => ({ key: d.device, cells: [
      [d.device, 'target', d.device], [kfmt.seconds(d.p99), sev(d.p99, 0.05, 0.1)], [kfmt.percent(d.busy), sev(d.busy, 0.6, 0.9)],
      [kfmt.count(d.iops), 'num'], [d.bytes == null ? '–' : kfmt.bytes(d.bytes) + '/s', 'num']] })),
    'no disks seen yet (block probe or /proc/diskstats)', 5);
  }
  // "payments.service", "docker 4f1c2a…", "pod 7c9e…", or the path.
  function cgroupName(l) {
    if (l.service) return l.service;
    if (l.container_id) return 'container ' + String(l.container_id).slice(0, 12);
    if (l.pod_uid) return 'pod ' + String(l.pod_uid).slice(0, 13);
    return String(l.cgroup === undefined ? '(all)' : l.cgroup);
  }
  function renderCgroups(res) {
    const rows = new Map();
    const put = (series, field) => {
      for (const s of series || []) {
        const k = cgKey(s.labels);
        if (!rows.has(k)) rows.set(k, { labels: s.labels });
        rows.get(k)[field] = s.value;
      }
    };
    put(res.cgCpu, 'cpu'); put(res.cgLimit, 'limit'); put(res.cgPeriods, 'periods'); put(res.cgThrottled, 'throttled');
    put(res.cgMem, 'mem'); put(res.cgMemLimit, 'memLimit'); put(res.cgOom, 'oom');
    const list = [...rows.values()].filter((r) => r.cpu != null || r.mem != null)
      .sort((a, b) => (b.cpu || 0) - (a.cpu || 0) || (b.mem || 0) - (a.mem || 0));
    const sev = (v, warn, bad) => (v == null ? 'num' : v > bad ? 'num bad' : v > warn ? 'num warn' : 'num');
    fillTable('cgroups-table', list.slice(0, 100).map((r) => {
      // Only cgroups with a quota have periods; no periods, no ratio.
      const thr = r.periods > 0 ? (r.throttled || 0) / r.periods : null;
      const used = r.memLimit > 0 && r.mem != null ? r.mem / r.memLimit : null;
      return { key: String(r.labels.cgroup), cells: [
        [cgroupName(r.labels), 'target', String(r.labels.cgroup)], [kfmt.cores(r.cpu), 'num'],
        [r.limit == null ? 'none' : kfmt.cores(r.limit), 'num'], [kfmt.percent(thr), sev(thr, 0.1, 0.25)],
        [kfmt.bytes(r.mem), 'num'], [used == null ? 'no limit' : kfmt.percent(used), sev(used, 0.8, 0.9)],
        [kfmt.count(r.oom || 0), r.oom > 0 ? 'num bad' : 'num']] };
    }), 'no cgroups read yet (resources.cgroups off, or no cgroup files here: `kscope check`)', 7);
  }

  // ---- Services -------------------------------------------------------------
  async function loadServices() {
    const keys = Object.keys(serviceQueries);
    const got = await Promise.all(keys.map((k) => queryLatest(Object.assign({}, serviceQueries[k],
      state.by ? { by: state.by, limit: 100 } : {}))));
    const res = Object.fromEntries(keys.map((k, i) => [k, got[i]]));
    $('services-card').hidden = res.rate == null && res.db == null;
    $('services-window').textContent = String(resourceWindow());
    const rows = new Map();
    for (const k of keys) {
      for (const s of res[k] || []) {
        const name = targetName(s.labels);
        if (!rows.has(name)) rows.set(name, { target: name });
        rows.get(name)[k] = s.value;
      }
    }
    // The share of requests answered 5xx: 0 for a service with requests
    // and no 5xx series, none without requests.
    for (const r of rows.values()) r.errors = r.rate > 0 ? (r.failed || 0) / r.rate : null;
    state.services = [...rows.values()].filter((r) => r.rate > 0 || r.db > 0);
    renderServices();
  }
  function renderServices() {
    const k = state.serviceSort;
    const list = (state.services || []).slice().sort((a, b) => k === 'target'
      ? String(a.target).localeCompare(String(b.target)) : (b[k] ?? -1) - (a[k] ?? -1));
    const sev = (v, warn, bad) => (v == null ? 'num' : v > bad ? 'num bad' : v > warn ? 'num warn' : 'num');
    fillTable('services-table', list.slice(0, 100).map((r) => ({ key: r.target, cells: [
      [r.target, 'target', r.target], [kfmt.count(r.rate), 'num'], [kfmt.percent(r.errors), sev(r.errors, 0.01, 0.05)],
      [kfmt.seconds(r.p50), 'num'], [kfmt.seconds(r.p95), 'num'], [kfmt.seconds(r.p99), sev(r.p99, 0.5, 1)],
      [kfmt.count(r.db), 'num'], [kfmt.seconds(r.dbP99), 'num']] })),
    'no requests served in the last ' + resourceWindow() + ' s', 8);
    $('services-card').dataset.loaded = 'true';
  }
  document.querySelectorAll('#services-table th').forEach((th) => {
    th.onclick = () => {
      state.serviceSort = th.dataset.key;
      document.querySelectorAll('#services-table th').forEach((o) => o.classList.toggle('sorted', o === th));
      renderServices();
    };
  });

  // ---- Service map ----------------------------------------------------------
  // Clients on the left, servers on the right, an edge per (client,
  // protocol, server): width by requests/s, red above 5% failing. Every
  // name is text content (a process may name itself anything).
  const SVG = 'http://www.w3.org/2000/svg';
  function svgEl(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function serverName(s) {
    const where = (String(s.address).includes(':') ? '[' + s.address + ']' : s.address) + ':' + s.port;
    return s.process ? s.process + ' ' + where : where;
  }
  async function loadServiceMap() {
    const r = await api('/api/v1/services');
    if (!r.ok) return;
    const edges = ((await r.json()).edges || []).slice(0, 40);
    state.serviceEdges = edges;
    $('map-card').hidden = edges.length === 0;
    const el = $('service-map');
    el.textContent = '';
    if (!edges.length) return;
    const clients = [...new Set(edges.map((e) => String(e.client)))];
    const servers = [...new Set(edges.map((e) => serverName(e.server)))];
    const rowH = 34, top = 10, nodeW = 190;
    const width = Math.max(480, el.clientWidth || 800);
    const height = top * 2 + rowH * Math.max(clients.length, servers.length);
    const svg = svgEl('svg', { viewBox: '0 0 ' + width + ' ' + height, height: String(height), role: 'img' });
    const yOf = (i) => top + i * rowH + rowH / 2;
    const maxRate = Math.max(...edges.map((e) => e.requests_per_second || 0), 1);
    for (const e of edges) {
      const y1 = yOf(clients.indexOf(String(e.client))), y2 = yOf(servers.indexOf(serverName(e.server)));
      const x1 = nodeW, x2 = width - nodeW, mid = (x1 + x2) / 2;
      const failing = e.error_ratio > 0.05;
      const path = svgEl('path', { d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`,
        'stroke-width': String(1 + 5 * Math.sqrt((e.requests_per_second || 0) / maxRate)), class: failing ? 'failing' : '' });
      const label = kfmt.count(e.requests_per_second) + '/s · ' + kfmt.percent(e.error_ratio) + ' · p99 ' + kfmt.seconds(e.p99_seconds);
      path.appendChild(svgEl('title', {}, String(e.client) + ' → ' + serverName(e.server) + ' (' + e.protocol + '): ' + label));
      svg.appendChild(path);
      svg.appendChild(svgEl('text', { x: String(mid), y: String((y1 + y2) / 2 - 4), 'text-anchor': 'middle', class: 'edge-label' },
        e.protocol + ' ' + label));
    }
    const node = (name, x, y, anchor) => {
      const g = svgEl('g', { class: 'node' });
      g.appendChild(svgEl('rect', { x: String(x), y: String(y - 12), width: String(nodeW - 12), height: '24', rx: '5' }));
      const t = svgEl('text', { x: String(anchor === 'start' ? x + 8 : x + nodeW - 20), y: String(y + 4), 'text-anchor': anchor },
        name.length > 26 ? name.slice(0, 25) + '…' : name);
      t.appendChild(svgEl('title', {}, name));
      g.appendChild(t);
      svg.appendChild(g);
    };
    clients.forEach((c, i) => node(c, 0, yOf(i), 'start'));
    servers.forEach((s, i) => node(s, width - nodeW + 12, yOf(i), 'end'));
    el.appendChild(svg);
    el.dataset.loaded = 'true';
  }

  // ---- Tiles and the targets table --------------------------------------
  function setTile(id, text, sub) {
    $('v-' + id).textContent = text;
    if (sub !== undefined) $('s-' + id).textContent = sub;
  }
  function lastValue(chartId, lineId) {
    const c = state.charts[chartId];
    if (!c) return null;
    const i = c.lines.findIndex((l) => l.id === lineId);
    if (i < 0) return undefined;
    const col = c.data[i + 1];
    for (let k = col.length - 1; k >= 0; k--) if (col[k] != null) return col[k];
    return null;
  }
  function renderTiles() {
    const p99 = lastValue('latency', 'lat-p99');
    const p50 = lastValue('latency', 'lat-p50');
    setTile('latency', kfmt.seconds(p99), p50 != null ? 'p50 ' + kfmt.seconds(p50) : '');
    const rate = lastValue('traffic', 'traffic');
    setTile('traffic', kfmt.count(rate), '');
    const err = lastValue('errors', 'errors');
    setTile('errors', kfmt.count(err), rate ? kfmt.percent((err || 0) / rate) + ' of calls' : '');
    const runq = lastValue('saturation', 'runq-p99');
    if (runq === undefined) setTile('saturation', 'n/a', 'sched probe not loaded');
    else setTile('saturation', kfmt.seconds(runq), 'time runnable before running');
  }
  function renderTargets() {
    const rows = new Map();
    for (const [sig, series] of Object.entries(state.targets)) {
      for (const s of series || []) {
        const key = targetName(s.labels);
        if (!rows.has(key)) rows.set(key, { target: key });
        rows.get(key)[sig] = s.value;
      }
    }
    const k = state.sortKey;
    const list = [...rows.values()].sort((a, b) => k === 'target'
      ? String(a.target).localeCompare(String(b.target)) : (b[k] ?? -1) - (a[k] ?? -1));
    const tbody = document.querySelector('#targets-table tbody');
    tbody.textContent = '';
    for (const r of list.slice(0, 100)) {
      const tr = document.createElement('tr');
      const cells = [['target', r.target, 'target'], ['cpu', kfmt.cores(r.cpu), 'num'],
        ['latency', kfmt.seconds(r.latency), 'num'],
        ['traffic', kfmt.count(r.traffic), 'num'], ['errors', kfmt.count(r.errors), 'num'],
        ['saturation', kfmt.seconds(r.saturation), 'num']];
      for (const [, text, cls] of cells) {
        const td = document.createElement('td');
        td.className = cls;
        td.textContent = text;
        if (cls === 'target') td.title = text;
        tr.appendChild(td);
      }
      tbody.appendChild(tr);
    }
    if (!list.length) {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = 5; td.className = 'muted'; td.textContent = 'no targets yet';
      tr.appendChild(td); tbody.appendChild(tr);
    }
  }
  document.querySelectorAll('#targets-table th').forEach((th) => {
    th.onclick = () => {
      state.sortKey = th.dataset.key;
      document.querySelectorAll('#targets-table th').forEach((o) => o.classList.toggle('sorted', o === th));
      renderTargets();
    };
  });

  // ---- Alerts ---------------------------------------------------------------
  function renderAlerts(body, status) {
    const el = $('alerts');
    el.textContent = '';
    const note = (text, cls) => { const p = document.createElement('p'); p.className = cls || 'muted'; p.textContent = text; el.appendChild(p); };
    if (status === 404) { note('The alert engine is not part of this kscope build yet (/api/v1/alerts: 404).'); return; }
    if (!body) { note('alerts unavailable (' + status + ')'); return; }
    const list = Array.isArray(body) ? body : (body.alerts || body.active || []);
    const firing = list.filter((a) => !a.state || a.state === 'firing' || a.state === 'pending');
    document.querySelectorAll('#overview .tile').forEach((t) => t.classList.remove('firing'));
    if (!firing.length) { note('No active alerts.', 'ok-note'); return; }
    for (const a of firing) {
      const div = document.createElement('div');
      div.className = 'alert ' + (a.severity || '');
      const rule = document.createElement('div');
      rule.className = 'rule';
      rule.textContent = (a.rule || a.name || 'alert') + (a.state === 'pending' ? ' (pending)' : '');
      const detail = document.createElement('div');
      detail.className = 'detail';
      const labels = a.labels ? Object.entries(a.labels).map(([k, v]) => k + '=' + v).join(' ') : '';
      const summary = a.summary || (a.annotations && a.annotations.summary) || '';
      const target = a.target ? 'target ' + a.target + (a.kernel ? ' (kernel thread)' : '') : '';
      detail.textContent = [summary, target, summary ? '' : labels].filter(Boolean).join(' · ');
      // The numbers behind it: "value 81ms, threshold 50ms, since 08:40:01
      // (for 3m)". value_text and threshold_text come in the rule's unit;
      // since is when the alert entered its state (RFC 3339).
      const facts = document.createElement('div');
      facts.className = 'facts';
      const t = a.since || a.firedAt || a.activeAt;
      const when = t ? Date.parse(t) / 1000 : NaN;
      const parts = [];
      if (a.value_text) parts.push('value ' + a.value_text);
      if (a.threshold_text) parts.push('threshold ' + a.threshold_text);
      if (isFinite(when)) parts.push('since ' + kfmt.clock(when, true) + ' (for ' + kfmt.span(Date.now() / 1000 - when) + ')');
      facts.textContent = parts.join(', ');
      const sev = document.createElement('div');
      sev.className = 'since';
      sev.textContent = a.severity || '';
      // What the notification policy does with it: silenced (by a silence
      // or a maintenance window), acknowledged, flapping; and the actions.
      const policy = document.createElement('div');
      policy.className = 'policy';
      const marks = [];
      if (a.silenced) marks.push('silenced by ' + (a.silencedBy || []).join(', '));
      if (a.ack) marks.push('acknowledged by ' + a.ack.by + (a.ack.comment ? ' (' + a.ack.comment + ')' : ''));
      if (a.flapping) marks.push('flapping');
      if (a.escalated) marks.push('escalated');
      const markText = document.createElement('span');
      markText.className = 'marks';
      markText.textContent = marks.join(' · ');
      policy.appendChild(markText);
      if (a.id && a.state === 'firing') {
        if (!a.ack) policy.appendChild(actionButton('Acknowledge', () => ackAlert(a)));
        if (!a.silenced) policy.appendChild(actionButton('Silence 1h', () => silenceAlert(a)));
      }
      div.append(rule, detail, facts, sev, policy);
      el.appendChild(div);
      const sig = a.signal || (a.labels && a.labels.signal);
      if (sig && $('tile-' + sig)) $('tile-' + sig).classList.add('firing');
    }
  }
  function actionButton(text, fn) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'alert-action';
    b.textContent = text;
    b.onclick = async () => { b.disabled = true; await fn(); pollAlerts(); };
    return b;
  }
  function whoAmI() {
    const who = localStorage.getItem('kscope.who') || prompt('Your name (shown with the acknowledgement or silence):', '') || '';
    if (who) localStorage.setItem('kscope.who', who);
    return who;
  }
  async function ackAlert(a) {
    const by = whoAmI();
    if (!by) return;
    const r = await api('/api/v1/alerts/' + encodeURIComponent(a.id) + '/ack', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ by, comment: 'from the dashboard' }) });
    if (!r.ok) alert('acknowledging failed: ' + r.status);
  }
  async function silenceAlert(a) {
    const by = whoAmI();
    if (!by) return;
    // Exactly this alert: every label of it, as equality matchers.
    const matchers = Object.entries(a.labels || {}).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
    const now = Date.now();
    const r = await api('/api/v1/silences', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ matchers, startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3600e3).toISOString(),
        createdBy: by, comment: 'from the dashboard' }) });
    if (!r.ok) alert('silencing failed: ' + r.status);
  }
  async function renderSilences() {
    const el = $('silences');
    if (!el) return;
    let list = [];
    try {
      const r = await api('/api/v1/silences');
      if (r.ok) list = await r.json();
    } catch (e) { return; }
    el.textContent = '';
    const live = list.filter((s) => s.status && s.status.state !== 'expired');
    if (!live.length) return;
    const h = document.createElement('h3');
    h.textContent = 'Silences';
    el.appendChild(h);
    for (const s of live) {
      const row = document.createElement('div');
      row.className = 'silence';
      const text = document.createElement('span');
      const m = s.matchers.map((x) => x.name + (x.isEqual === false ? '!' : '=') + (x.isRegex ? '~' : '') + JSON.stringify(x.value)).join(', ');
      text.textContent = s.status.state + ' until ' + kfmt.clock(Date.parse(s.endsAt) / 1000, true) + ': {' + m + '} by ' + s.createdBy +
        (s.comment ? ' (' + s.comment + ')' : '');
      row.appendChild(text);
      row.appendChild(actionButton('Expire', async () => {
        const r = await api('/api/v1/silences/' + encodeURIComponent(s.id), { method: 'DELETE' });
        if (!r.ok) alert('expiring failed: ' + r.status);
        renderSilences();
      }));
      el.appendChild(row);
    }
  }
  async function pollAlerts() {
    renderSilences();
    try {
      const r = await api('/api/v1/alerts');
      renderAlerts(r.ok ? await r.json() : null, r.status);
    } catch (e) { renderAlerts(null, 'unreachable'); }
  }

  // ---- Live feed --------------------------------------------------------------
  function setLive(cls, text) {
    $('live').className = 'live ' + cls;
    $('live-text').textContent = text;
  }
  function connect() {
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
    state.ws = ws;
    ws.onopen = () => { if (state.token) ws.send(JSON.stringify({ auth: state.token })); };
    ws.onmessage = (ev) => {
      const m = JSON.parse(ev.data);
      if (m.type === 'hello') {
        state.interval = m.interval;
        state.topics = m.topics || [];
        setLive('on', 'live');
        for (const [cid, def] of Object.entries(charts)) {
          for (const l of def.lines) ws.send(JSON.stringify({ subscribe: Object.assign({ id: cid + '/' + l.id }, l.q) }));
        }
        for (const sig of Object.keys(targetQueries)) ws.send(JSON.stringify({ subscribe: Object.assign({ id: 'targets/' + sig }, targetQuery(sig)) }));
        if (state.topics.includes('alerts')) ws.send(JSON.stringify({ subscribe: { id: 'alerts', topic: 'alerts' } }));
      } else if (m.type === 'update') {
        const [group, key] = m.id.split('/');
        if (group === 'targets') {
          state.targets[key] = m.series;
          if (key === 'cpu') updateTop(m.t, m.series);
        } else {
          const c = state.charts[group];
          const i = c ? c.lines.findIndex((l) => l.id === key) : -1;
          if (i >= 0 && m.series.length) { appendPoint(group, i, m.t, m.series[0].value); state.points++; }
        }
        scheduleRender();
      } else if (m.type === 'topic' && m.id === 'alerts') {
        renderAlerts(m.data, 200);
      }
    };
    ws.onclose = () => { setLive('off', 'reconnecting'); setTimeout(connect, 2000); };
  }
  function updateTop(t, series) {
    const c = state.charts.top;
    if (!c || !c.u) return;
    c.lines.forEach((l, i) => {
      const s = series.find((x) => targetName(x.labels) === l.label);
      appendPoint('top', i, t, s ? s.value : null);
    });
  }
  let renderPending = false;
  function scheduleRender() {
    if (renderPending) return;
    renderPending = true;
    requestAnimationFrame(() => { renderPending = false; redraw(); renderTiles(); renderTargets(); });
  }

  // ---- Flame graphs -------------------------------------------------------------
  $('flame-form').onsubmit = async (ev) => {
    ev.preventDefault();
    const type = $('flame-type').value;
    const secs = Math.min(120, Math.max(1, Number($('flame-seconds').value) || 5));
    const status = $('flame-status');
    const frame = $('flame-frame');
    status.className = 'muted';
    $('flame-record').disabled = true;
    let left = secs;
    status.textContent = 'Recording ' + (type === 'cpu' ? 'on-CPU' : 'off-CPU') + ' stacks: ' + left + ' s left…';
    const timer = setInterval(() => { left = Math.max(0, left - 1); status.textContent = left ? 'Recording… ' + left + ' s left' : 'Symbolizing…'; }, 1000);
    try {
      const nonceMeta = document.querySelector('meta[name="kscope-script-nonce"]');
      const nonce = nonceMeta ? nonceMeta.content : '';
      const r = await api('/api/v1/profile?' + qs({ type, seconds: secs, format: 'svg', nonce }));
      if (!r.ok) {
        let msg = '';
        try { msg = (await r.json()).error || ''; } catch (e) { /* not JSON */ }
        status.className = 'error';
        status.textContent = r.status === 404
          ? 'Profiles are not available from this kscope yet: /api/v1/profile answered 404' + (msg ? ' (' + msg + ')' : '') +
            '. Record one on the host with `kscope profile --duration 30s -o cpu.svg` (or `kscope offcpu`).'
          : 'Recording failed (' + r.status + '): ' + (msg || r.statusText);
        frame.hidden = true;
        frame.dataset.state = r.status === 404 ? 'unavailable' : 'error';
        return;
      }
      const svg = await r.blob();
      if (frame.dataset.url) URL.revokeObjectURL(frame.dataset.url);
      frame.dataset.url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
      frame.src = frame.dataset.url;
      frame.hidden = false;
      frame.dataset.state = 'rendered';
      status.className = 'muted';
      status.textContent = (type === 'cpu' ? 'On-CPU' : 'Off-CPU') + ' profile, ' + secs + ' s, recorded ' + new Date().toLocaleTimeString() + '.';
    } catch (e) {
      status.className = 'error';
      status.textContent = 'Recording failed: ' + e;
    } finally {
      clearInterval(timer);
      $('flame-record').disabled = false;
    }
  };

  // ---- Tabs, range, start -------------------------------------------------------
  function showTab(name) {
    document.querySelectorAll('.tab').forEach((t) => t.classList.toggle('active', t.dataset.tab === name));
    document.querySelectorAll('.panel').forEach((p) => p.classList.toggle('active', p.id === name));
    // Charts drawn while hidden had no width: draw them again.
    if (name === 'overview' || name === 'resources') for (const id of Object.keys(state.charts)) rebuildChart(id);
    if (name === 'resources') { loadResources(); loadDiskChart(); }
    history.replaceState(null, '', '#' + name);
  }
  document.querySelectorAll('.tab').forEach((t) => { t.onclick = () => showTab(t.dataset.tab); });
  $('range').value = String(state.range);
  $('range').onchange = () => {
    state.range = Number($('range').value);
    localStorage.setItem('kscope.range', state.range);
    loadAll();
  };

  async function loadAll() {
    await Promise.all(Object.keys(charts).map(loadChart).concat([loadTopChart(), loadDiskChart(), loadResources(),
      loadServices(), loadServiceMap()]));
    renderTiles();
    document.body.dataset.loaded = 'true';
  }
  async function start() {
    try {
      const h = await api('/api/v1/health');
      const body = await h.json();
      $('host').textContent = 'v' + body.version + (body.status !== 'ok' ? ' · ' + body.status : '');
      // Why it is degraded, on hover: probes down, CPU budget steps, config.
      const why = (body.probes || []).filter((p) => !p.up && p.reason !== 'disabled in config')
        .map((p) => p.name + ': ' + p.reason)
        .concat(((body.budget || {}).steps || []).map((s) => 'cpu budget: ' + s));
      if (body.config && body.config.reload_error) why.push('config: ' + body.config.reload_error);
      $('host').title = why.join('\n');
      setBreakdown(body.breakdown);
    } catch (e) { setLive('off', 'unreachable'); }
    await loadAll();
    renderTargets();
    pollAlerts();
    setInterval(() => { if (!state.topics.includes('alerts')) pollAlerts(); }, 5000);
    setInterval(() => { if ($('resources').classList.contains('active')) loadResources(); }, 5000);
    setInterval(() => { if ($('overview').classList.contains('active')) { loadServices(); loadServiceMap(); } }, 5000);
    connect();
    const tab = location.hash.slice(1);
    if (['overview', 'targets', 'resources', 'flame'].includes(tab)) showTab(tab);
  }
  start();
})();
