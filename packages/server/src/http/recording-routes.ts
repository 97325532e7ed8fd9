import { gzipSync } from 'node:zlib';
import * as v from 'valibot';
import { createRecordingStore } from '../recording-store.ts';
import { framesToEvents, navigationMarkers, withMarkerEvents, type RecordingMarker, type RrwebEvent } from '../recording-events.ts';
import type { ApiDeps } from './api-deps.ts';
import { responses } from './api-schemas.ts';
import { route, type ApiRoute } from './route-table.ts';

/** Responses above this size are gzipped for clients that accept it. */
const GZIP_FROM_BYTES = 32 * 1024;
const CONTROL_ACTIONS: Record<string, string> = {
  'control.requested': 'Control requested by',
  'control.granted': 'Control granted to',
  'control.denied': 'Control denied to',
  'control.revoked': 'Control taken back from',
  'control.released': 'Control released by',
};

const stores = new WeakMap<object, ReturnType<typeof createRecordingStore>>();
function recordings(deps: ApiDeps) {
  let store = stores.get(deps.store.db);
  if (!store) stores.set(deps.store.db, (store = createRecordingStore(deps.store.db)));
  return store;
}

/** Chat messages and control changes (from the chat log and the audit log), by time. */
async function storedMarkers(deps: ApiDeps, tenantId: string, sessionId: string): Promise<RecordingMarker[]> {
  const [chat, audit, detail] = await Promise.all([
    deps.collab.listChat(tenantId, sessionId),
    deps.admin.queryAudit(tenantId, { sessionId, action: 'control.', limit: 5000 }),
    deps.collab.getSessionDetail(tenantId, sessionId),
  ]);
  const participants = detail?.participants ?? [];
  const userNames = new Map((await deps.admin.listUsers(tenantId)).map((u) => [u.id, u.name]));
  const nameOf = (participantId: unknown, userId: string | null) =>
    participants.find((p) => p.id === participantId)?.name ?? (userId ? userNames.get(userId) : undefined) ?? (participantId === 'host' ? 'Customer' : 'an agent');
  const markers: RecordingMarker[] = chat.map((m) => ({ kind: 'chat', at: m.at, label: m.encrypted ? 'Encrypted message' : m.text, detail: { from: m.from.name, role: m.from.role, seq: m.seq } }));
  for (const entry of audit) {
    const verb = CONTROL_ACTIONS[entry.action];
    if (!verb) continue;
    const name = entry.action === 'control.requested' || entry.action === 'control.released' ? nameOf(null, entry.actorId) : nameOf(entry.detail.participantId, null);
    markers.push({ kind: 'control', at: entry.at, label: `${verb} ${name}`, detail: { action: entry.action.slice('control.'.length) } });
  }
  return markers.sort((a, b) => a.at - b.at);
}

/** The recording's rrweb events (markers included as Custom events) and its markers. */
async function loadRecording(deps: ApiDeps, tenantId: string, sessionId: string): Promise<{ events: RrwebEvent[]; markers: RecordingMarker[]; skipped: number }> {
  const { events, skipped } = framesToEvents(await recordings(deps).frames(tenantId, sessionId));
  const markers = [...(await storedMarkers(deps, tenantId, sessionId)), ...navigationMarkers(events)].sort((a, b) => a.at - b.at);
  return { events: withMarkerEvents(events, markers), markers, skipped };
}

const limitQuery = v.object({
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, 'a whole number'), v.transform(Number), v.transform((n) => Math.min(Math.max(n, 1), 500))), '100'),
});

/** Recordings of sessions on sites whose policy records them (see docs/SECURITY.md, "Recordings"). */
export const recordingRoutes: ApiRoute[] = [
  route({
    method: 'GET',
    path: '/recordings',
    permission: 'recordings.view',
    tag: 'recordings',
    summary: 'Session recordings, newest first: session id, site, start and end, duration and size',
    query: limitQuery,
    response: responses.recordings,
    handle: async ({ caller, deps, query }) => ({ recordings: await recordings(deps).list(caller.tenantId, query.limit) }),
  }),

  route({
    method: 'GET',
    path: '/recordings/:sessionId',
    permission: 'recordings.view',
    tag: 'recordings',
    summary: "One recording: its metadata, the markers of its timeline (chat, control, navigation), the chat and the agents' notes",
    response: responses.recording,
    async handle({ caller, deps, params, fail, audit }) {
      const sessionId = params.sessionId ?? '';
      const recording = await recordings(deps).get(caller.tenantId, sessionId);
      if (!recording) return fail('not_found', 'No recording of that session.');
      const [loaded, chat, notes] = await Promise.all([loadRecording(deps, caller.tenantId, sessionId), deps.collab.listChat(caller.tenantId, sessionId), deps.collab.listNotes(caller.tenantId, sessionId)]);
      const first = loaded.events[0]?.timestamp ?? recording.startedAt;
      const last = loaded.events.at(-1)?.timestamp ?? first;
      await audit('recording.view', { part: 'metadata' }, sessionId);
      return { recording: { ...recording, eventsStartAt: first, eventsEndAt: last, events: loaded.events.length, skippedFrames: loaded.skipped }, markers: loaded.markers, chat, notes };
    },
  }),

  route({
    method: 'GET',
    path: '/recordings/:sessionId/events',
    permission: 'recordings.view',
    tag: 'recordings',
    summary: 'The recording as rrweb events (a JSON array, rrweb 2.x format, gzipped when large); chat, control and navigation are Custom events tagged samepage/…',
    response: v.array(v.object({ type: v.number(), timestamp: v.number(), data: v.unknown() })),
    async handle({ caller, deps, params, fail, audit, request, reply }) {
      const sessionId = params.sessionId ?? '';
      const recording = await recordings(deps).get(caller.tenantId, sessionId);
      if (!recording) return fail('not_found', 'No recording of that session.');
      if (recording.e2ee) return fail('e2ee_feature_off', 'This recording is end-to-end encrypted: the server cannot turn it into events. Fetch /recordings/:sessionId/encrypted and decrypt it with the tenant’s recording key.');
      const { events } = await loadRecording(deps, caller.tenantId, sessionId);
      await audit('recording.view', { part: 'events' }, sessionId);
      const json = Buffer.from(JSON.stringify(events));
      reply.type('application/json; charset=utf-8').header('cache-control', 'no-store');
      if (json.byteLength >= GZIP_FROM_BYTES && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
        return reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding').send(gzipSync(json));
      }
      return reply.send(json);
    },
  }),
];
