/** Bundles the in-browser parts of the benchmark (the *.client.ts files) with esbuild, in memory. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleClient(relativeEntry: string, options: { minify?: boolean } = {}): Promise<string> {
  const result = await build({
    entryPoints: [path.join(BENCH_DIR, relativeEntry)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: options.minify ?? false,
    write: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced nothing for ${relativeEntry}`);
  return file.text;
}
