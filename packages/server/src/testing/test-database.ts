/**
 * One way for storage tests to get a fresh database of either dialect: a SQLite file in a temp
 * dir, or a new database in one throwaway Postgres per test file (started on first use).
 *
 * @example
 *   test.after(stopTestPostgres);
 *   for (const dialect of DIALECTS) test(`${dialect}: …`, { skip: dialectSkip(dialect) }, async (t) => {
 *     const db = await openTestDatabase(t, dialect);
 *   });
 */
import type { TestContext } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../db/database.ts';
import { postgresUnavailable, startPostgres, type TestPostgres } from './postgres.ts';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

let postgres: TestPostgres | null = null;
const pgSkip = postgresUnavailable();

/** The reason a dialect's tests are skipped here, or false. */
export function dialectSkip(dialect: Dialect): string | false {
  return dialect === 'postgres' && pgSkip ? `skipped: ${pgSkip}` : false;
}

export async function openTestDatabase(t: TestContext, dialect: Dialect): Promise<Db> {
  if (dialect === 'postgres') {
    postgres ??= await startPostgres();
    const db = await openDatabase('', postgres.createDatabase());
    t.after(() => db.destroy());
    return db;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samepage-db-'));
  const db = await openDatabase(dir);
  t.after(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return db;
}

export function stopTestPostgres(): void {
  postgres?.stop();
  postgres = null;
}
