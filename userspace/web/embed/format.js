// Number formatting shared by the dashboard and `kscope report`.
'use strict';
(function (root) {
  // toPrecision without trailing zeros after the point ("1.50" -> "1.5",
  // but "150" stays).
  function trim(s) { return s.indexOf('.') < 0 || /e/.test(s) ? s : s.replace(/0+$/, '').replace(/\.$/, ''); }
  function seconds(v) {
    if (v == null || !isFinite(v)) return '–';
    const a = Math.abs(v);
    if (a === 0) return '0';
    if (a < 1e-6) return (v * 1e9).toFixed(0) + ' ns';
    if (a < 1e-3) return trim((v * 1e6).toPrecision(3)) + ' µs';
    if (a < 1) return trim((v * 1e3).toPrecision(3)) + ' ms';
    return trim(v.toPrecision(3)) + ' s';
  }
  function count(v) {
    if (v == null || !isFinite(v)) return '–';
    const a = Math.abs(v);
    if (a >= 1e9) return trim((v / 1e9).toPrecision(3)) + 'G';
    if (a >= 1e6) return trim((v / 1e6).toPrecision(3)) + 'M';
    if (a >= 1e3) return trim((v / 1e3).toPrecision(3)) + 'k';
    if (a >= 100 || a === 0) return v.toFixed(0);
    return trim(v.toPrecision(3));
  }
  function percent(v) {
    if (v == null || !isFinite(v)) return '–';
    return trim((v * 100).toPrecision(3)) + '%';
  }
  function ago(unixSeconds) {
    const d = Math.max(0, Date.now() / 1000 - unixSeconds);
    if (d < 90) return Math.round(d) + ' s ago';
    if (d < 5400) return Math.round(d / 60) + ' min ago';
    return (d / 3600).toFixed(1) + ' h ago';
  }
  // Local wall-clock time, 24-hour, hours padded as minutes are:
  // "19:57:52", "00:04:05", or "19:57" without seconds.
  function clock(unixSeconds, withSeconds) {
    const d = new Date(unixSeconds * 1000);
    const two = (n) => (n < 10 ? '0' : '') + n;
    return two(d.getHours()) + ':' + two(d.getMinutes()) + (withSeconds ? ':' + two(d.getSeconds()) : '');
  }
  // CPU cores kept busy: "0.02", "1.5", "12".
  function cores(v) {
    if (v == null || !isFinite(v)) return '–';
    if (v === 0) return '0';
    return Math.abs(v) < 10 ? v.toFixed(2) : trim(v.toPrecision(3));
  }
  // A length of time, coarsely: "45s", "3m", "2h 5m", "3d 4h".
  function span(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm';
    if (s < 86400) { const m = Math.floor(s / 60) % 60; return Math.floor(s / 3600) + 'h' + (m ? ' ' + m + 'm' : ''); }
    const h = Math.floor(s / 3600) % 24;
    return Math.floor(s / 86400) + 'd' + (h ? ' ' + h + 'h' : '');
  }
  // Bytes in binary units: "512 B", "1.5 KiB", "3.2 GiB".
  function bytes(v) {
    if (v == null || !isFinite(v)) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    let a = Math.abs(v), i = 0;
    while (a >= 1024 && i < units.length - 1) { a /= 1024; v /= 1024; i++; }
    return (i === 0 ? v.toFixed(0) : trim(v.toPrecision(3))) + ' ' + units[i];
  }
  root.kfmt = { seconds, count, percent, ago, trim, clock, cores, span, bytes };
})(typeof window !== 'undefined' ? window : globalThis);
