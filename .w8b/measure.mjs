import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
const r = await build({ bundle: true, format: 'iife', minify: true, target: 'es2020', write: false, entryPoints: ['src/widget-bundle.ts'], absWorkingDir: process.cwd(), logLevel: 'warning' });
const code = r.outputFiles[0].contents;
console.log('widget.js gzip', gzipSync(code, { level: 9 }).byteLength, 'budget', 5 * 1024);
if (process.env.DUMP) (await import('node:fs')).writeFileSync('/tmp/w8b/widget.min.js', code);
