// Builds the dashboard into one folder the server serves with
// --http-static-dir: index.html, app.js (src/ and uPlot bundled and minified
// by esbuild) and app.css (ours and uPlot's).
//   node build.mjs [OUT_DIR]   (default: ../../build/web)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, '..', '..', 'build', 'web'));
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(here, 'src', 'main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  sourcemap: false,
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
});
writeFileSync(join(out, 'app.css'),
  readFileSync(join(here, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), 'utf8') + '\n'
  + readFileSync(join(here, 'src', 'style.css'), 'utf8'));
copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
console.log(`dashboard built into ${out}`);
