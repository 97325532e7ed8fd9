import type { Generated } from 'kysely';

/** Every table has tenant_id, except the instance-wide ones (tenants, settings). */
export interface Database {
  settings: { key: string; value: string };
  tenants: { id: string; name: string; created_at: number; plan: Generated<string>; settings: Generated<string> };
  usage_daily: { tenant_id: string; day: string; peak_concurrent: Generated<number>; sessions_started: Generated<number> };
  users: {
    id: string;
    tenant_id: string;
    email: string;
    name: string;
    password_hash: string;
    role: string;
    disabled: number;
    created_at: number;
  };
  api_tokens: {
    id: string;
    tenant_id: string;
    name: string;
    token_hash: string;
    permissions: string;
    created_at: number;
    last_used_at: number | null;
    revoked_at: number | null;
  };
  webhooks: { id: string; tenant_id: string; url: string; secret: string; events: string; created_at: number; disabled: Generated<number> };
  webhook_deliveries: {
    id: string;
    webhook_id: string;
    tenant_id: string;
    event: string;
    payload: string;
    attempts: Generated<number>;
    next_attempt_at: number | null;
    delivered_at: number | null;
    last_status: number | null;
    last_error: string | null;
    created_at: number;
  };
  recordings: { session_id: string; tenant_id: string; site_id: string; started_at: number; ended_at: number | null; size_bytes: Generated<number>; frames: Generated<number>; e2ee: Generated<number> };
  recording_keys: { tenant_id: string; session_id: string; epoch: number; wrapped: string; created_at: number };
  tenant_recording_keys: { tenant_id: string; public_key: string; created_at: number };
  recording_chunks: { id: Generated<number>; tenant_id: string; session_id: string; seq: number; at: number; bytes: Buffer };
  auth_sessions: { id: string; tenant_id: string; user_id: string; created_at: number; expires_at: number };
  sites: {
    id: string;
    tenant_id: string;
    name: string;
    site_key: string;
    allowed_origins: string;
    redaction: string;
    policy: Generated<string>;
    created_at: number;
  };
  roles: { id: string; tenant_id: string; key: string; title: string; permissions: string; created_at: number };
  chat_messages: {
    id: string;
    tenant_id: string;
    session_id: string;
    seq: number;
    client_id: string;
    participant_id: string;
    sender_name: string;
    sender_role: string;
    text: string;
    at: number;
    encrypted: Generated<number>;
  };
  session_notes: { id: string; tenant_id: string; session_id: string; user_id: string; user_name: string; text: string; at: number };
  followups: {
    id: string;
    tenant_id: string;
    site_id: string;
    visitor_id: string | null;
    visitor_name: string | null;
    visitor_email: string | null;
    page_url: string;
    page_title: string;
    token_hash: string;
    created_at: number;
    updated_at: number;
    read_at: number | null;
    replied_at: number | null;
    reply_seen_at: number | null;
    snapshot_bytes: number | null;
    live_code: string | null;
    live_at: number | null;
  };
  followup_entries: { id: string; tenant_id: string; followup_id: string; kind: string; user_id: string | null; author_name: string; text: string; at: number };
  followup_snapshots: { followup_id: string; tenant_id: string; bytes: Buffer; created_at: number };
  shares: {
    id: string;
    tenant_id: string;
    target_type: string;
    target_id: string;
    from_user_id: string;
    from_name: string;
    to_user_id: string | null;
    note: string;
    created_at: number;
    picked_up_at: number | null;
    picked_up_by: string | null;
  };
  sessions: {
    id: string;
    tenant_id: string;
    site_id: string;
    started_at: number;
    ended_at: number | null;
    ended_by: string | null;
    end_reason: string | null;
    visitor: string | null;
    e2ee: Generated<number>;
  };
  session_participants: {
    id: string;
    tenant_id: string;
    session_id: string;
    user_id: string | null;
    name: string;
    role: string;
    joined_at: number;
    left_at: number | null;
  };
  audit_log: {
    id: Generated<number>;
    tenant_id: string;
    at: number;
    actor_type: string;
    actor_id: string | null;
    action: string;
    session_id: string | null;
    detail: string;
  };
}
