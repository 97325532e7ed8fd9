import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
const out = {};
for (const [name, entry] of [['widget', 'src/widget-bundle.ts'], ['capture', 'src/capture.ts'], ['sdk', 'src/loader.ts'], ['collab', 'src/collab.ts']]) {
  const r = await build({ bundle: true, format: 'iife', minify: true, target: 'es2020', write: false, entryPoints: [entry], absWorkingDir: process.cwd(), logLevel: 'silent', define: { __SAMEPAGE_SRI__: '{}' } });
  out[name] = gzipSync(Buffer.concat([r.outputFiles[0].contents, Buffer.from('\n//# sourceMappingURL=' + name + '.js.map\n')]), { level: 9 }).byteLength;
}
console.log(JSON.stringify(out));
