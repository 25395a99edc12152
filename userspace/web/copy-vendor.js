// Copies the locked uPlot build (package-lock.json pins the version) into
// embed/vendor/, which the C++ build compiles into the binary: so building
// kscope needs no node, and `npm ci && npm run vendor` reproduces the files.
// `--check` exits 1 when embed/vendor/ differs from node_modules.
'use strict';
const fs = require('fs');
const path = require('path');

const files = [
  ['uplot/dist/uPlot.iife.min.js', 'uPlot.iife.min.js'],
  ['uplot/dist/uPlot.min.css', 'uPlot.min.css'],
  ['uplot/LICENSE', 'uPlot.LICENSE'],
];
const check = process.argv.includes('--check');
const out = path.join(__dirname, 'embed', 'vendor');
fs.mkdirSync(out, { recursive: true });
let stale = 0;
for (const [from, to] of files) {
  const src = fs.readFileSync(require.resolve(from, { paths: [__dirname] }));
  const dst = path.join(out, to);
  if (check) {
    if (!fs.existsSync(dst) || !fs.readFileSync(dst).equals(src)) {
      console.error(`stale: ${dst} (run npm run vendor)`);
      stale++;
    }
  } else {
    fs.writeFileSync(dst, src);
    console.log(`${from} -> ${path.relative(__dirname, dst)} (${src.length} bytes)`);
  }
}
process.exit(stale ? 1 : 0);
