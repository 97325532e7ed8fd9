/**
 * GET /metrics: Prometheus text format (prom-client), one registry per server.
 *
 * Gauges are computed at scrape time from the relay; counters mirror RelayFlowStats. Session ids
 * are not used as labels (no per-session series): the per-session memory estimate is exported as
 * its maximum, average and total over the live sessions on this node.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Relay } from '../relay/relay.ts';
import type { LiveSession } from '../relay/live-session.ts';

/** Objects, maps, timers, logger children of one session, measured roughly with heap snapshots. */
const SESSION_OVERHEAD_BYTES = 16 * 1024;

/**
 * What one live session holds on this node: its late-join cache, the bytes queued in the
 * sockets of its host and local viewers (an upper bound: viewers share the frame buffers), its
 * chat kept in memory, and a fixed overhead.
 */
export function sessionMemoryEstimate(session: LiveSession): number {
  let bytes = SESSION_OVERHEAD_BYTES + session.cache.size;
  if (session.host && !session.host.remoteNode) bytes += session.host.socket.bufferedAmount;
  for (const member of session.members.values()) if (!member.peer.remoteNode) bytes += member.peer.socket.bufferedAmount;
  for (const message of session.chat.all()) bytes += 200 + message.text.length * 2;
  return bytes;
}

export function createMetrics(relay: Relay): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'samepage_' });
  const sessions = () => [...relay.sessions.values()].filter((s) => !s.ended);
  const gauge = (name: string, help: string, value: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });
  const counter = (name: string, help: string, value: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value());
      },
    });
  gauge('samepage_live_sessions', 'Live sessions whose home is this node.', () => sessions().length);
  gauge('samepage_connected_sockets', 'Open WebSockets on this node.', () => relay.socketCount);
  gauge('samepage_max_sockets', 'MAX_SOCKETS: the socket limit of this node.', () => relay.deps.config.maxSockets);
  gauge('samepage_cache_bytes_total', 'Late-join cache bytes (keyframe + deltas) over all sessions.', () => sessions().reduce((n, s) => n + s.cache.size, 0));
  gauge('samepage_session_cache_bytes_max', 'The largest late-join cache of one session.', () => Math.max(0, ...sessions().map((s) => s.cache.size)));
  gauge('samepage_session_cache_bytes_limit', 'MAX_SESSION_CACHE_BYTES: a session asks for a keyframe past this.', () => relay.deps.config.maxSessionCacheBytes);
  gauge('samepage_session_memory_bytes_max', 'Largest per-session memory estimate (cache + socket queues + chat + overhead).', () => Math.max(0, ...sessions().map(sessionMemoryEstimate)));
  gauge('samepage_session_memory_bytes_avg', 'Average per-session memory estimate.', () => {
    const list = sessions();
    return list.length === 0 ? 0 : list.reduce((n, s) => n + sessionMemoryEstimate(s), 0) / list.length;
  });
  gauge('samepage_session_memory_bytes_total', 'Sum of the per-session memory estimates.', () => sessions().reduce((n, s) => n + sessionMemoryEstimate(s), 0));
  gauge('samepage_viewers_behind', 'Viewers whose live frames are being dropped until their socket drains.', () => relay.flow.viewersBehind);
  counter('samepage_frames_forwarded_total', 'DOM frames queued to viewer sockets (live and late-join).', () => relay.flow.framesForwarded);
  counter('samepage_bytes_forwarded_total', 'DOM frame bytes queued to viewer sockets.', () => relay.flow.bytesForwarded);
  counter('samepage_frames_dropped_total', 'Live DOM frames dropped for viewers that were behind.', () => relay.flow.framesDropped);
  counter('samepage_bytes_dropped_total', 'Bytes of the dropped frames.', () => relay.flow.bytesDropped);
  counter('samepage_viewer_resyncs_total', 'Viewers put back on the stream with a fresh snapshot.', () => relay.flow.resyncs);
  counter('samepage_sockets_refused_total', 'WebSockets refused with server_busy (MAX_SOCKETS).', () => relay.flow.socketsRefused);
  return registry;
}

const registries = new WeakMap<FastifyInstance, Registry>();

/** The registry behind an app's /metrics, for parts registered later (the asset proxy's gauges). */
export function metricsRegistryOf(app: FastifyInstance): Registry | null {
  return registries.get(app) ?? null;
}

export function registerMetricsRoute(app: FastifyInstance, relay: Relay): void {
  const registry = createMetrics(relay);
  registries.set(app, registry);
  app.get('/metrics', async (_request, reply) => {
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(body);
  });
}
