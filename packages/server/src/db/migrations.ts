import { Kysely, Migrator, PostgresAdapter, type Migration, type MigrationProvider } from 'kysely';

/** The few places where SQLite and Postgres differ in DDL (autoincrement ids). */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Migrations are plain Kysely schema builders, so the same list serves SQLite and Postgres. */
const migrations: Record<string, Migration> = {
  '0001_core': {
    async up(db: Kysely<any>) {
      await db.schema.createTable('settings').addColumn('key', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();
      await db.schema
        .createTable('tenants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('auth_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sites')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('site_key', 'text', (c) => c.notNull().unique())
        .addColumn('allowed_origins', 'text', (c) => c.notNull())
        .addColumn('redaction', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .addColumn('ended_by', 'text')
        .addColumn('end_reason', 'text')
        .execute();
      await db.schema.createIndex('sessions_tenant_started').on('sessions').columns(['tenant_id', 'started_at']).execute();
      await db.schema
        .createTable('session_participants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('joined_at', 'bigint', (c) => c.notNull())
        .addColumn('left_at', 'bigint')
        .execute();
      await db.schema
        .createTable('audit_log')
        .addColumn('id', isPostgres(db) ? 'serial' : 'integer', (c) => (isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor_type', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_tenant_at').on('audit_log').columns(['tenant_id', 'at']).execute();
    },
  },
  '0002_collaboration': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('sites').addColumn('policy', 'text', (c) => c.notNull().defaultTo('{}')).execute();
      await db.schema
        .createTable('roles')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('permissions', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('roles_tenant_key', ['tenant_id', 'key'])
        .execute();
      await db.schema
        .createTable('chat_messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('participant_id', 'text', (c) => c.notNull())
        .addColumn('sender_name', 'text', (c) => c.notNull())
        .addColumn('sender_role', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('chat_session_seq', ['session_id', 'seq'])
        .execute();
      await db.schema.createIndex('chat_tenant_session').on('chat_messages').columns(['tenant_id', 'session_id']).execute();
      await db.schema
        .createTable('session_notes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('sessions').addColumn('visitor', 'text').execute();
    },
  },
  '0003_tenancy': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('tenants').addColumn('plan', 'text', (c) => c.notNull().defaultTo('{"kind":"unlimited"}')).execute();
      await db.schema.alterTable('tenants').addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}')).execute();
      await db.schema
        .createTable('usage_daily')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('peak_concurrent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('sessions_started', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('usage_daily_pk', ['tenant_id', 'day'])
        .execute();
      await db.schema.createIndex('participants_session').on('session_participants').columns(['tenant_id', 'session_id']).execute();
    },
  },
  '0004_api': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('permissions', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('api_tokens_tenant').on('api_tokens').columns(['tenant_id', 'created_at']).execute();
      await db.schema
        .createTable('webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('webhooks_tenant').on('webhooks').columns(['tenant_id']).execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('delivered_at', 'bigint')
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['next_attempt_at']).execute();
      await db.schema.createIndex('webhook_deliveries_hook').on('webhook_deliveries').columns(['tenant_id', 'webhook_id', 'created_at']).execute();
    },
  },
  '0005_recordings': {
    async up(db: Kysely<any>) {
      const pg = isPostgres(db);
      await db.schema
        .createTable('recordings')
        .addColumn('session_id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .addColumn('size_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('frames', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('recordings_tenant_started').on('recordings').columns(['tenant_id', 'started_at']).execute();
      // One row per DOM frame, the bytes exactly as the customer's tab sent them; read back in id order.
      await db.schema
        .createTable('recording_chunks')
        .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('bytes', pg ? 'bytea' : 'blob', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('recording_chunks_session').on('recording_chunks').columns(['session_id', 'id']).execute();
    },
  },
  // End-to-end encryption (docs/E2EE.md): which sessions, chat and recordings are ciphertext, the
  // epoch keys of encrypted recordings wrapped to the tenant's recording key, and that public key.
  '0006_e2ee': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('sessions').addColumn('e2ee', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('chat_messages').addColumn('encrypted', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('recordings').addColumn('e2ee', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema
        .createTable('recording_keys')
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('epoch', 'bigint', (c) => c.notNull())
        .addColumn('wrapped', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('recording_keys_pk', ['session_id', 'epoch'])
        .execute();
      await db.schema.createIndex('recording_keys_tenant').on('recording_keys').columns(['tenant_id', 'session_id']).execute();
      await db.schema
        .createTable('tenant_recording_keys')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  // "Leave a message" (async follow-up): threads, their snapshot, and links that share a session or message.
  '0006_followups': {
    async up(db: Kysely<any>) {
      const pg = isPostgres(db);
      await db.schema
        .createTable('followups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('visitor_id', 'text')
        .addColumn('visitor_name', 'text')
        .addColumn('visitor_email', 'text')
        .addColumn('page_url', 'text', (c) => c.notNull())
        .addColumn('page_title', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('read_at', 'bigint')
        .addColumn('replied_at', 'bigint')
        .addColumn('reply_seen_at', 'bigint')
        .addColumn('snapshot_bytes', 'bigint')
        .addColumn('live_code', 'text')
        .addColumn('live_at', 'bigint')
        .execute();
      await db.schema.createIndex('followups_tenant_updated').on('followups').columns(['tenant_id', 'updated_at']).execute();
      await db.schema.createIndex('followups_tenant_visitor').on('followups').columns(['tenant_id', 'visitor_id']).execute();
      // The visitor's message, agents' replies (shown to the visitor) and notes (never shown).
      await db.schema
        .createTable('followup_entries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('followup_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('author_name', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('followup_entries_thread').on('followup_entries').columns(['tenant_id', 'followup_id', 'at']).execute();
      // The redacted page snapshot, gzip-compressed rrweb events exactly as the tab sent them.
      await db.schema
        .createTable('followup_snapshots')
        .addColumn('followup_id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('bytes', pg ? 'bytea' : 'blob', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('shares')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('from_user_id', 'text', (c) => c.notNull())
        .addColumn('from_name', 'text', (c) => c.notNull())
        .addColumn('to_user_id', 'text')
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('picked_up_at', 'bigint')
        .addColumn('picked_up_by', 'text')
        .execute();
      await db.schema.createIndex('shares_tenant_to').on('shares').columns(['tenant_id', 'to_user_id', 'created_at']).execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
}
