import { runFidelity } from './harness.ts';
const only = (process.argv[2] ?? '').split(',').filter(Boolean);
const r = await runFidelity({ only, outDir: '/tmp/fx5/out', engine: (process.env.ENGINE ?? 'chromium') as 'chromium' });
for (const p of r.pages) console.log(p.name, (p.match * 100).toFixed(2), p.note ?? '', p.error ?? '', JSON.stringify(p.checks ?? []));
