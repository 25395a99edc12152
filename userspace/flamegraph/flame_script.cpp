// The script and style sheet embedded in every flame graph. Kept as raw
// string literals rather than userspace/*/embed files: scripts/embed.cmake
// passes its file list through a shell, which splits it at the ';' of a
// CMake list, so a second embedded file breaks the build.
#include "flamegraph/flame_script.h"

namespace kscope {

std::string_view flame_graph_css() {
  return R"CSS(.kf-bg { fill: #fdfdf8; }
.kf-title { font-size: 17px; text-anchor: middle; fill: #111; }
.kf-subtitle { font-size: 12px; text-anchor: middle; fill: #555; }
.kf-button { font-size: 12px; fill: #1a4d99; cursor: pointer; }
.kf-button:hover { text-decoration: underline; }
.kf-status { font-size: 12px; fill: #222; }
.kf-legend { font-size: 11px; fill: #333; }
#kf-frames text { font-size: 12px; fill: #000; pointer-events: none; }
#kf-frames g { cursor: pointer; }
#kf-frames g:hover rect { stroke: #000; stroke-width: 0.5; }
#kf-frames g.kf-parent rect { opacity: 0.55; }
#kf-frames g.kf-hidden { display: none; }
)CSS";
}

std::string_view flame_graph_script() {
  return R"JS(// Interactive flame graph: hover details, click to zoom, search, reset.
// Frame names are read from the document (the escaped <title> text of each
// frame) and written back only through textContent, so a name is never
// parsed as markup or code.
(function () {
  'use strict';
  var svg = document.getElementById('kscope-flame');
  var framesG = document.getElementById('kf-frames');
  var details = document.getElementById('kf-details');
  var matchedText = document.getElementById('kf-matched');
  var resetZoomText = document.getElementById('kf-reset');
  var searchText = document.getElementById('kf-search');
  var fontSize = Number(framesG.getAttribute('data-font-size'));
  var pad = Number(framesG.getAttribute('data-pad'));
  var matchColor = framesG.getAttribute('data-match-color');
  var graphWidth = Number(svg.getAttribute('width')) - 2 * pad;
  var eps = 0.005;
  var frames = [];
  var searchTerm = '';

  var groups = framesG.getElementsByTagName('g');
  for (var i = 0; i < groups.length; i++) {
    var g = groups[i];
    var rect = g.getElementsByTagName('rect')[0];
    var info = g.getElementsByTagName('title')[0].textContent;
    var cut = info.lastIndexOf(' (');
    var f = {
      g: g, rect: rect, text: g.getElementsByTagName('text')[0], info: info,
      name: Array.from(cut >= 0 ? info.substring(0, cut) : info),
      x: Number(rect.getAttribute('x')), w: Number(rect.getAttribute('width')),
      y: Number(rect.getAttribute('y')), fill: rect.getAttribute('fill')
    };
    f.nameString = f.name.join('');
    g.setAttribute('data-i', String(i));
    frames.push(f);
  }

  function label(f, w) {
    var chars = Math.floor((w - 6) / (fontSize * 0.59));
    if (chars < 3) return '';
    if (f.name.length <= chars) return f.nameString;
    return f.name.slice(0, chars - 2).join('') + '..';
  }

  function place(f, x, w) {
    f.rect.setAttribute('x', x.toFixed(2));
    f.rect.setAttribute('width', w.toFixed(2));
    if (f.text) {
      f.text.setAttribute('x', (x + 3).toFixed(2));
      f.text.textContent = label(f, w);
    }
  }

  function setClass(f, cls) {
    if (cls) f.g.setAttribute('class', cls); else f.g.removeAttribute('class');
  }

  function zoom(z) {
    var scale = graphWidth / z.w;
    frames.forEach(function (f) {
      var inside = f.x >= z.x - eps && f.x + f.w <= z.x + z.w + eps;
      var covers = f.x <= z.x + eps && f.x + f.w >= z.x + z.w - eps;
      if (f.y > z.y && covers) {
        setClass(f, 'kf-parent');
        place(f, pad, graphWidth);
      } else if (f.y <= z.y && inside) {
        setClass(f, null);
        place(f, pad + (f.x - z.x) * scale, f.w * scale);
      } else {
        setClass(f, 'kf-hidden');
      }
    });
    resetZoomText.setAttribute('visibility', z === frames[0] ? 'hidden' : 'visible');
  }

  function resetZoom() {
    frames.forEach(function (f) {
      setClass(f, null);
      place(f, f.x, f.w);
    });
    resetZoomText.setAttribute('visibility', 'hidden');
  }

  function matches(term) {
    var re = null;
    try { re = new RegExp(term); } catch (e) { re = null; }
    return function (f) { return re ? re.test(f.nameString) : f.nameString.indexOf(term) >= 0; };
  }

  function search(term) {
    searchTerm = term;
    if (!term) { resetSearch(); return; }
    var test = matches(term);
    var hit = [];
    frames.forEach(function (f) {
      var m = test(f);
      f.rect.setAttribute('fill', m ? matchColor : f.fill);
      if (m) hit.push(f);
    });
    // Share of the whole graph: union of the matched spans, so a match
    // inside another match is not counted twice.
    hit.sort(function (a, b) { return a.x - b.x || b.w - a.w; });
    var covered = 0, end = -Infinity;
    hit.forEach(function (f) {
      var s = Math.max(f.x, end), e = f.x + f.w;
      if (e > s) { covered += e - s; end = e; }
    });
    var pct = frames.length ? 100 * covered / frames[0].w : 0;
    matchedText.textContent = 'Matched: ' + pct.toFixed(2) + '% (' + hit.length + ' frames)';
    searchText.textContent = 'Reset Search';
  }

  function resetSearch() {
    searchTerm = '';
    frames.forEach(function (f) { f.rect.setAttribute('fill', f.fill); });
    matchedText.textContent = ' ';
    searchText.textContent = 'Search';
  }

  function askSearch() {
    if (searchTerm) { resetSearch(); return; }
    var term = window.prompt('Search for (regular expression, or text if not one):', '');
    if (term !== null) search(term);
  }

  function frameOf(target) {
    for (var n = target; n && n !== framesG; n = n.parentNode) {
      if (n.getAttribute && n.getAttribute('data-i') !== null) return frames[Number(n.getAttribute('data-i'))];
    }
    return null;
  }

  framesG.addEventListener('click', function (e) {
    var f = frameOf(e.target);
    if (f) zoom(f);
  });
  framesG.addEventListener('mouseover', function (e) {
    var f = frameOf(e.target);
    details.textContent = f ? f.info : ' ';
  });
  framesG.addEventListener('mouseout', function () { details.textContent = ' '; });
  resetZoomText.addEventListener('click', resetZoom);
  searchText.addEventListener('click', askSearch);
  window.addEventListener('keydown', function (e) {
    if ((e.ctrlKey || e.metaKey) && (e.key === 'f' || e.key === 'F')) {
      e.preventDefault();
      askSearch();
    } else if (e.key === 'Escape') {
      resetZoom();
      resetSearch();
    }
  });
  // For tests and other scripts: window.kscopeFlame.search('re').
  window.kscopeFlame = { search: search, resetSearch: resetSearch, zoom: function (i) { zoom(frames[i]); },
                         resetZoom: resetZoom, frames: frames };
})();
)JS";
}

}  // namespace kscope
