// Minifies the wasm-bindgen JavaScript Trunk wrote (Trunk's own minifier
// gives up on its `import.meta`, leaving it whole) and rewrites the
// Subresource Integrity hash index.html gives for it, so the browser still
// accepts the file. Run by scripts/build-frontend after each `trunk build`:
//   node e2e/minify.js dist dist/desk
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { minify } = require('terser');

const sri = (buf) => 'sha384-' + crypto.createHash('sha384').update(buf).digest('base64');

async function minifyEntry(dir) {
  const indexPath = path.join(dir, 'index.html');
  let index = fs.readFileSync(indexPath, 'utf8');
  // The entry's module: the one index.html preloads with an integrity hash.
  // Trunk's hash is a 64-bit number in hex without leading zeros: one build
  // in sixteen has 15 digits or fewer.
  const scripts = fs.readdirSync(dir).filter((f) => /^[\w-]+-[0-9a-f]{8,16}\.js$/.test(f));
  for (const file of scripts) {
    const full = path.join(dir, file);
    const source = fs.readFileSync(full);
    const before = sri(source);
    if (!index.includes(before)) continue; // already minified, or not the entry's
    const out = await minify(source.toString('utf8'), { module: true, compress: { passes: 2 }, mangle: true });
    fs.writeFileSync(full, out.code);
    index = index.split(before).join(sri(Buffer.from(out.code)));
    console.log(`[minify] ${full}: ${source.length} → ${out.code.length} bytes`);
  }
  fs.writeFileSync(indexPath, index);
}

(async () => {
  for (const dir of process.argv.slice(2)) await minifyEntry(dir);
})().catch((e) => { console.error(e); process.exit(1); });
