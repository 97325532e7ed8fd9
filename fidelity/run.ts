/**
 * `npm run fidelity [-- --json] [--engine chromium|firefox|webkit] [--only=name[,name]]`
 * Prints a table (or, with --json, exactly one JSON object) on stdout; progress on stderr.
 * Screenshots and diffs go to fidelity/out/.
 */
import { ENGINES, TARGET, DEFAULT_OUT_DIR, runFidelity, type Engine } from './harness.ts';

function parseArgs(argv: string[]): { json: boolean; engine: Engine; only: string[] } {
  let json = false;
  let engine: Engine = 'chromium';
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (!v) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--json') json = true;
    else if (flag === '--engine') {
      const v = value();
      if (!(ENGINES as readonly string[]).includes(v)) throw new Error(`--engine must be one of ${ENGINES.join(', ')}, not "${v}"`);
      engine = v as Engine;
    } else if (flag === '--only') only.push(...value().split(',').filter(Boolean));
    else throw new Error(`unknown argument "${arg}" (use --json, --engine chromium|firefox|webkit, --only=name)`);
  }
  return { json, engine, only };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const report = await runFidelity({ engine: args.engine, only: args.only, log: (line) => process.stderr.write(`fidelity: ${line}\n`) });
  if (args.json) {
    const pages = report.pages.map((p) => {
      const note = [p.error && `harness error: ${p.error}`, p.note].filter(Boolean).join('; ');
      return note ? { name: p.name, match: p.match, note } : { name: p.name, match: p.match };
    });
    process.stdout.write(`${JSON.stringify({ engine: report.engine, pages })}\n`);
  } else {
    const width = Math.max(...report.pages.map((p) => p.name.length), 4);
    const lines = [`engine: ${report.engine}   target: ${(TARGET * 100).toFixed(0)}%   screenshots: ${DEFAULT_OUT_DIR}`, '', `${'page'.padEnd(width)}  match     ms  note`];
    for (const p of report.pages) {
      const score = p.error ? '  ERROR' : `${(p.match * 100).toFixed(2).padStart(6)}%`;
      const flag = !p.error && p.match >= TARGET ? ' ' : '✗';
      lines.push(`${p.name.padEnd(width)} ${score} ${String(p.ms).padStart(6)} ${flag} ${[p.error, p.note].filter(Boolean).join('; ')}`);
    }
    const below = report.pages.filter((p) => p.error || p.match < TARGET).length;
    lines.push('', `${report.pages.length} pages, ${below} below target, ${(report.ms / 1000).toFixed(1)} s`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (report.pages.some((p) => p.error)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`fidelity: ${(error as Error).message ?? String(error)}\n`);
  process.exitCode = 2;
});
