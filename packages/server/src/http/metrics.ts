/**
 * GET /metrics: Prometheus text format (prom-client), one registry per server.
 *
 * Gauges are computed at scrape time from the relay; counters mirror RelayFlowStats and the
 * cluster's counters (the bus between nodes, `samepage_cluster_*`). Session ids
 * are not used as labels (no per-session series): the per-session memory estimate is exported as
 * its maximum, average and total over the live sessions on this node.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Relay } from '../relay/relay.ts';
import { MAX_BUS_BACKLOG_BYTES } from '../cluster/cluster.ts';
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
  const gauge = (name: string, help: string, value: () => number | Promise<number>) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(await value());
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
  registerClusterMetrics(relay, gauge, counter);
  return registry;
}

/** How long a scrape waits for the bus to list the live nodes before it shows the last count: a stalled Redis must not stall the scrape. */
const NODES_READ_TIMEOUT_MS = 250;

/**
 * The bus between the nodes (docs/SCALING.md), as this node sees it. On a single node (in-process
 * bus) they read: connected, no backlog, one node, nothing held or dropped.
 */
function registerClusterMetrics(relay: Relay, gauge: (name: string, help: string, value: () => number | Promise<number>) => Gauge, counter: (name: string, help: string, value: () => number) => Counter): void {
  const { cluster } = relay;
  const bus = relay.deps.bus;
  gauge('samepage_cluster_bus_connected', '1 when the connection to the cluster bus (Redis) is ready, 0 while it is down or reconnecting.', () => (bus.status().connected ? 1 : 0));
  gauge('samepage_cluster_bus_backlog_bytes', `Bytes published to the bus and not yet acknowledged; past ${MAX_BUS_BACKLOG_BYTES} DOM frames for other nodes are dropped.`, () => bus.backlogBytes());
  counter('samepage_cluster_bus_publish_errors_total', 'Publishes to the bus that failed (Redis refused them or the connection was lost).', () => bus.status().publishErrors);
  counter('samepage_cluster_frames_held_total', 'DOM frames not published to viewers on other nodes because they said they are behind.', () => cluster.framesHeldForPaused);
  counter('samepage_cluster_frames_dropped_total', 'DOM frames for other nodes dropped because the bus backlog was over its bound.', () => cluster.framesDroppedAtBus);
  gauge('samepage_cluster_viewers_paused', 'Viewers on other nodes this node currently publishes no DOM frames to (behind).', () => cluster.pausedViewers);
  counter('samepage_cluster_requests_timed_out_total', "Questions to a session's home node (HTTP routes run on another node) that got no answer in time.", () => cluster.requests.timedOut);
  let nodesAlive = 1;
  gauge('samepage_cluster_nodes_alive', 'Nodes whose heartbeat is alive, this one included (the last count read, when the bus does not answer within 250 ms).', async () => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), NODES_READ_TIMEOUT_MS)));
    const nodes = await Promise.race([cluster.liveNodes().catch(() => null), late]);
    clearTimeout(timer);
    if (nodes) nodesAlive = nodes.length;
    return nodesAlive;
  });
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
