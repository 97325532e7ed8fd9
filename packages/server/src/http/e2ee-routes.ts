import * as v from 'valibot';
import { createRecordingKeyStore, parseRecordingPublicKey } from '../recording-key-store.ts';
import { createRecordingStore } from '../recording-store.ts';
import type { ApiDeps } from './api-deps.ts';
import { route, type ApiRoute } from './route-table.ts';

const keyShape = v.nullable(v.object({ publicKey: v.string(), createdAt: v.number() }));
const keys = (deps: ApiDeps) => createRecordingKeyStore(deps.store.db);

/**
 * End-to-end encryption (docs/E2EE.md): the tenant's recording public key, and encrypted
 * recordings as the ciphertext frames plus each epoch key wrapped to that public key. The server
 * holds no private key, so it cannot replay these; the tenant decrypts them in its own browser.
 */
export const e2eeRoutes: ApiRoute[] = [
  route({
    method: 'GET',
    path: '/settings/recording-key',
    permission: 'sites.manage',
    tag: 'settings',
    summary: "The tenant's recording public key for encrypted recordings (base64url of an uncompressed P-256 point), or null",
    response: v.object({ recordingKey: keyShape }),
    handle: async ({ caller, deps }) => ({ recordingKey: await keys(deps).getTenantKey(caller.tenantId) }),
  }),

  route({
    method: 'PUT',
    path: '/settings/recording-key',
    permission: 'sites.manage',
    tag: 'settings',
    summary: 'Register the recording public key (P-256; ECDH-ES + HKDF-SHA-256 + AES-256-GCM, docs/E2EE.md "Recordings"); customers’ tabs wrap each epoch key of a recorded encrypted session to it',
    body: v.strictObject({ publicKey: v.pipe(v.string(), v.maxLength(200)) }),
    response: v.object({ recordingKey: keyShape }),
    async handle({ caller, deps, body, fail, audit }) {
      const publicKey = parseRecordingPublicKey(body.publicKey);
      if (!publicKey) return fail('invalid_request', 'publicKey: the base64url of an uncompressed P-256 public key (65 bytes, 0x04 first), on the curve.');
      await keys(deps).setTenantKey(caller.tenantId, publicKey);
      await audit('settings.recording_key', { publicKey });
      return { recordingKey: await keys(deps).getTenantKey(caller.tenantId) };
    },
  }),

  route({
    method: 'DELETE',
    path: '/settings/recording-key',
    permission: 'sites.manage',
    tag: 'settings',
    summary: 'Remove the recording public key: encrypted sessions are no longer recorded',
    status: 204,
    async handle({ caller, deps, fail, audit }) {
      if (!(await keys(deps).deleteTenantKey(caller.tenantId))) return fail('not_found', 'No recording key is registered.');
      await audit('settings.recording_key_removed', {});
    },
  }),

  route({
    method: 'GET',
    path: '/recordings/:sessionId/encrypted',
    permission: 'recordings.view',
    tag: 'recordings',
    summary: 'An end-to-end encrypted recording: its ciphertext frames (base64, as the customer’s tab sent them) and each epoch key wrapped to the tenant’s recording key',
    response: v.object({
      sessionId: v.string(),
      frames: v.array(v.object({ seq: v.number(), at: v.number(), bytes: v.string() })),
      keys: v.array(v.object({ epoch: v.number(), wrapped: v.string(), at: v.number() })),
    }),
    async handle({ caller, deps, params, fail, audit }) {
      const sessionId = params.sessionId ?? '';
      const recordings = createRecordingStore(deps.store.db);
      const recording = await recordings.get(caller.tenantId, sessionId);
      if (!recording) return fail('not_found', 'No recording of that session.');
      if (!recording.e2ee) return fail('invalid_request', 'This recording is not encrypted; use /recordings/:sessionId/events.');
      const [frames, wrapped] = await Promise.all([recordings.frames(caller.tenantId, sessionId), keys(deps).listEpochKeys(caller.tenantId, sessionId)]);
      await audit('recording.view', { part: 'encrypted' }, sessionId);
      return { sessionId, frames: frames.map((f) => ({ seq: f.seq, at: f.at, bytes: f.bytes.toString('base64') })), keys: wrapped };
    },
  }),
];
