/** Writes docs/openapi.json, the OpenAPI document of /api/v1. Usage: node --import tsx scripts/openapi.ts [--check] */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_ROUTES } from '../packages/server/src/http/api.ts';
import { buildOpenApi } from '../packages/server/src/http/openapi.ts';

export const OPENAPI_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/openapi.json');

export function renderOpenApi(): string {
  return JSON.stringify(buildOpenApi(API_ROUTES), null, 2) + '\n';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = renderOpenApi();
  if (process.argv.includes('--check')) {
    const same = fs.existsSync(OPENAPI_FILE) && fs.readFileSync(OPENAPI_FILE, 'utf8') === text;
    console.log(same ? 'docs/openapi.json is up to date' : 'docs/openapi.json is stale; run node --import tsx scripts/openapi.ts');
    process.exit(same ? 0 : 1);
  }
  fs.writeFileSync(OPENAPI_FILE, text);
  console.log(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)}`);
}
