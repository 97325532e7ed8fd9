/** Prints docs/ERRORS.md from the error catalogue: `node --import tsx scripts/errors-doc.ts > docs/ERRORS.md`. */
import { ERRORS, ERROR_CODES } from '@samepage/protocol';

export function renderErrorsDoc(): string {
  const rows = ERROR_CODES.map((code) => {
    const e = ERRORS[code];
    return `| \`${code}\` | ${e.http} | ${e.close} | ${e.fatal ? 'yes' : 'no'} | ${e.message} |`;
  });
  return [
    '# Error codes',
    '',
    'One catalogue serves the HTTP API and the socket. It is defined in',
    '`packages/protocol/src/errors.ts`; this page is generated from it (`node --import tsx scripts/errors-doc.ts > docs/ERRORS.md`)',
    'and a test fails when the two differ.',
    '',
    '- **HTTP** answers with the status below and `{ "error": { "code": "…", "message": "…" } }`.',
    '- **Sockets** receive `{ "type": "error", "code": "…", "message": "…", "fatal": true|false }`.',
    '  A fatal error is followed by a close with the close code below: the client must not reconnect',
    '  with the same request. A non-fatal error leaves the socket open (for example, a wrong session',
    '  code: the agent can try another).',
    '- Binary frames larger than `MAX_FRAME_BYTES` + 1 MiB are cut by the WebSocket layer with the',
    '  standard close code 1009 (message too big) before the server reads them.',
    '',
    '| Code | HTTP | Close code | Fatal | Message |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(renderErrorsDoc());
