// Builds the browser bundles and checks them against their size budgets (gzip).
//   dist/sdk.js      the loader, embedded by sites; must stay tiny
//   dist/capture.js  loaded when a session starts
//   dist/collab.js   remote control, chat, drawing: loaded by capture.js when a session starts
//   dist/widget.js   the built-in UI (launcher, code, banner): loaded by capture.js with the widget on
//   dist/i18n/*.js   the widget's texts in French, German, Spanish: loaded for customers who read them
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const LOADER_BUDGET = 4 * 1024;
const TOTAL_BUDGET = 45 * 1024;
const COLLAB_BUDGET = 12 * 1024;
const LANG_BUDGET = 2 * 1024;
const WIDGET_BUDGET = 5 * 1024;
const LANGS = ['fr', 'de', 'es'];

const common = {
  bundle: true,
  format: 'iife',
  minify: true,
  target: 'es2020',
  legalComments: 'eof',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: here,
};

await Promise.all([
  build({ ...common, entryPoints: ['src/loader.ts'], outfile: 'dist/sdk.js' }),
  build({ ...common, entryPoints: ['src/capture.ts'], outfile: 'dist/capture.js' }),
  build({ ...common, entryPoints: ['src/collab.ts'], outfile: 'dist/collab.js' }),
  build({ ...common, entryPoints: ['src/widget-bundle.ts'], outfile: 'dist/widget.js' }),
  // The widget's texts in other languages, loaded by capture.js for customers who read them.
  ...LANGS.map((lang) => build({ ...common, sourcemap: false, entryPoints: [`src/i18n/${lang}.ts`], outfile: `dist/i18n/${lang}.js` })),
]);

const gz = (file) => gzipSync(readFileSync(new URL(file, import.meta.url)), { level: 9 }).byteLength;
const loader = gz('./dist/sdk.js');
const capture = gz('./dist/capture.js');
const collab = gz('./dist/collab.js');
const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
console.log(`dist/sdk.js      ${kb(loader)} gzip (budget ${kb(LOADER_BUDGET)})`);
console.log(`dist/capture.js  ${kb(capture)} gzip`);
console.log(`total            ${kb(loader + capture)} gzip (budget ${kb(TOTAL_BUDGET)})`);
console.log(`dist/collab.js   ${kb(collab)} gzip (budget ${kb(COLLAB_BUDGET)}; all three ${kb(loader + capture + collab)})`);
const widget = gz('./dist/widget.js');
console.log(`dist/widget.js   ${kb(widget)} gzip (budget ${kb(WIDGET_BUDGET)}; built-in UI, widget on only)`);
if (widget > WIDGET_BUDGET) {
  console.error('Widget bundle size budget exceeded.');
  process.exit(1);
}
const langs = LANGS.map((lang) => [lang, gz(`./dist/i18n/${lang}.js`)]);
console.log(`dist/i18n/*.js   ${langs.map(([l, n]) => `${l} ${kb(n)}`).join(', ')} gzip (budget ${kb(LANG_BUDGET)} each)`);
if (langs.some(([, n]) => n > LANG_BUDGET)) {
  console.error('Language bundle size budget exceeded.');
  process.exit(1);
}
if (loader > LOADER_BUDGET || loader + capture > TOTAL_BUDGET || collab > COLLAB_BUDGET) {
  console.error('Bundle size budget exceeded.');
  process.exit(1);
}
