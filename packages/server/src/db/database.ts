import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.ts';
import { migrateToLatest } from './migrations.ts';

export type Db = Kysely<Database>;

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

/**
 * Opens the database and brings its schema up to date: Postgres when `databaseUrl` is set
 * (several nodes share it), otherwise the embedded SQLite file in dataDir.
 */
export async function openDatabase(dataDir: string, databaseUrl: string | null = null): Promise<Db> {
  const db = databaseUrl ? openPostgres(databaseUrl) : openSqlite(dataDir);
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

function openSqlite(dataDir: string): Db {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = new SQLite(path.join(dataDir, 'samepage.sqlite'));
  file.pragma('journal_mode = WAL');
  file.pragma('foreign_keys = ON');
  file.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) });
}

function openPostgres(connectionString: string): Db {
  // Our bigint columns hold millisecond timestamps and counts, far below 2^53: read them as
  // numbers, as SQLite does, instead of pg's default strings. Scoped to this pool only.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      if (oid === PG_INT8 || oid === PG_NUMERIC) return (value: string) => Number(value);
      return pg.types.getTypeParser(oid, format);
    }) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString, types, max: 10 });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
