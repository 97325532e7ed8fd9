// Builds the browser bundles and checks them against their size budgets (gzip).
//   dist/sdk.js      the loader, embedded by sites; must stay tiny
//   dist/capture.js  loaded when a session starts
//   dist/collab.js   remote control, chat, drawing: loaded by capture.js when a session starts
//   dist/assets.js   SDK option inlineAssets: supplies the page's own assets to agents (asset-supply.ts)
//   dist/widget.js   the built-in UI (launcher, code, banner): loaded by capture.js with the widget on
//   dist/e2ee.js     end-to-end encryption (docs/E2EE.md): loaded by capture.js only when the site's policy turns it on
//   dist/followup.js "Leave a message" and the team's replies: loaded by the loader when no agent is online,
//                    when this browser left a message before, or on Samepage.leaveMessage()/replies()
//   dist/snapshot.js the redacted page snapshot a visitor may attach to a message: loaded by followup.js then
//   dist/i18n/*.js   the widget's texts in French, German, Spanish: loaded for customers who read them
//   dist/sri.json    SHA-384 Subresource Integrity hashes of all of the above (docs/SECURITY.md, "Code delivery")
//
// Pinning is a chain, so that the loader stays small: the bundles capture.js loads are built
// first and their hashes baked into capture.js; capture.js's hash is baked into the loader. The
// loader sets `script.integrity` on every bundle it loads (loader.ts, `INTEGRITY`), so a page that
// pins sdk.js with its integrity attribute runs only the exact bytes of this build.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { rrwebSlicing } from './rrweb-slicing.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
// The loader grew from 4 KB to ~4.7 KB with the site theme (cached), "leave a message" and the
// integrity hash of capture.js; capture.js with canvas, popover, hover/focus, asset capture,
// sliced snapshots and cross-origin frames (45 -> 52 KB with the loader); 53 KB with the sliced
// full snapshot (rrweb-slicing.mjs, snapshot-walk.ts) and held offscreen changes (offscreen-deferral.ts);
// 53.5 KB with two fixes to rrweb's mutation buffers (lost wrapped nodes) and the walk's added-subtree rule.
const LOADER_BUDGET = 5 * 1024;
const TOTAL_BUDGET = 53.5 * 1024;
const COLLAB_BUDGET = 12 * 1024;
const LANG_BUDGET = 2 * 1024;
const ASSETS_BUDGET = 2.5 * 1024;
// The widget grew past 5 KB with the "reconnecting" / "connection lost" notices (~0.17 KB).
const WIDGET_BUDGET = 5.25 * 1024;
const FOLLOWUP_BUDGET = 7 * 1024;
// Pairing, key schedule, sealing and the code dialog in four languages; about 8 KB of it is valibot
// (pairing bodies, control actions) and fflate (the core's envelope), which WebCrypto cannot replace.
const E2EE_BUDGET = 21 * 1024;
// The capture bundle's recorder and redaction, without transport or collaboration.
const SNAPSHOT_BUDGET = 32 * 1024;
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
  // rrweb's full snapshot in slices (src/snapshot-walk.ts)
  plugins: [rrwebSlicing],
};

await Promise.all([
  build({ ...common, entryPoints: ['src/collab.ts'], outfile: 'dist/collab.js' }),
  build({ ...common, entryPoints: ['src/widget-bundle.ts'], outfile: 'dist/widget.js' }),
  build({ ...common, entryPoints: ['src/followup.ts'], outfile: 'dist/followup.js' }),
  build({ ...common, entryPoints: ['src/snapshot-bundle.ts'], outfile: 'dist/snapshot.js' }),
  build({ ...common, entryPoints: ['src/assets.ts'], outfile: 'dist/assets.js' }),
  build({ ...common, entryPoints: ['src/e2ee-bundle.ts'], outfile: 'dist/e2ee.js' }),
  // The widget's texts in other languages, loaded by capture.js for customers who read them.
  ...LANGS.map((lang) => build({ ...common, sourcemap: false, entryPoints: [`src/i18n/${lang}.ts`], outfile: `dist/i18n/${lang}.js` })),
]);

/** The integrity attribute value of a built file: sha384 of its exact bytes, base64. */
const sri = (file) => `sha384-${createHash('sha384').update(readFileSync(new URL(file, import.meta.url))).digest('base64')}`;
/** `{ '/sdk/x.js': 'sha384-…' }`: keyed by the URL path the bundles are loaded from. */
const hashes = (files) => Object.fromEntries(files.map((f) => [`/sdk/${f}`, sri(`./dist/${f}`)]));
// Loaded by capture.js (through the loader's loadBundle); pinned by hashes inside capture.js.
const CAPTURE_LOADS = ['collab.js', 'widget.js', 'assets.js', 'e2ee.js', ...LANGS.map((l) => `i18n/${l}.js`)];
const captureLoads = hashes(CAPTURE_LOADS);
await build({ ...common, entryPoints: ['src/capture.ts'], outfile: 'dist/capture.js', define: { __SAMEPAGE_SRI__: JSON.stringify(captureLoads) } });
// Loaded by the loader itself; pinned by hashes inside sdk.js.
const loaderLoads = hashes(['capture.js']);
await build({ ...common, entryPoints: ['src/loader.ts'], outfile: 'dist/sdk.js', define: { __SAMEPAGE_SRI__: JSON.stringify(loaderLoads) } });
// Published, not yet baked into a loader: bundles loaded outside the chain above (pin them by adding them to a *_LOADS list).
const unpinned = hashes(['followup.js', 'snapshot.js'].filter((f) => existsSync(new URL(`./dist/${f}`, import.meta.url))));
const manifest = { algorithm: 'sha384', files: { '/sdk.js': sri('./dist/sdk.js'), ...loaderLoads, ...captureLoads, ...unpinned } };
writeFileSync(new URL('./dist/sri.json', import.meta.url), JSON.stringify(manifest, null, 2) + '\n');

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
const assets = gz('./dist/assets.js');
console.log(`dist/assets.js   ${kb(assets)} gzip (budget ${kb(ASSETS_BUDGET)}; inlineAssets on only)`);
if (assets > ASSETS_BUDGET) {
  console.error('Assets bundle size budget exceeded.');
  process.exit(1);
}
const followup = gz('./dist/followup.js');
const snapshotJs = gz('./dist/snapshot.js');
console.log(`dist/followup.js ${kb(followup)} gzip (budget ${kb(FOLLOWUP_BUDGET)}); dist/snapshot.js ${kb(snapshotJs)} gzip (budget ${kb(SNAPSHOT_BUDGET)})`);
if (followup > FOLLOWUP_BUDGET || snapshotJs > SNAPSHOT_BUDGET) {
  console.error('Follow-up bundle size budget exceeded.');
  process.exit(1);
}
const e2eeJs = gz('./dist/e2ee.js');
console.log(`dist/e2ee.js     ${kb(e2eeJs)} gzip (budget ${kb(E2EE_BUDGET)}; end-to-end encrypted sites only)`);
if (e2eeJs > E2EE_BUDGET) {
  console.error('E2EE bundle size budget exceeded.');
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
