/**
 * A throttling TCP proxy for the slow-network tests: listens on 127.0.0.1 and forwards to a
 * loopback target. Never connects anywhere but the target it was given (loopback only).
 *
 * The model, per direction (customer → server and back), in segments of 1460 bytes (one MSS):
 * - **Bandwidth**: a token bucket with a burst of one segment. A segment starts on the link when
 *   the previous one is done (`linkFreeAt`); it takes `bytes × 8 / bps` seconds to send.
 * - **Delay**: each segment arrives `rttMs / 2` after it left the link (so a round trip adds
 *   `rttMs` on top of serialisation).
 * - **Loss**: TCP cannot lose bytes, so a lost segment is modelled as what TCP makes of it: the
 *   segment (and, in order, everything behind it: head-of-line blocking) arrives one
 *   retransmission timeout later, `max(200 ms, 2 × RTT)` (Linux's minimum RTO is 200 ms).
 *   Throughput is not reduced further (no congestion-window halving): an optimistic model.
 * - **Bottleneck buffer**: at most `bufferBytes` (default 64 KiB, about one receive window) wait
 *   in the proxy per direction; past that the proxy stops reading the sender's socket, so the
 *   sender's own queue (the SDK's `WebSocket.bufferedAmount`) grows, as behind a real slow link.
 */
import net from 'node:net';

export interface LinkProfile {
  name: string;
  /** bits per second, each direction; 0 = unlimited */
  bps: number;
  rttMs: number;
  /** probability that a segment is "lost" (delayed by one RTO) */
  loss: number;
}

export interface ProxyStats {
  connections: number;
  /** Connections that ended while the proxy was still open (cut by either side). */
  closed: number;
  bytesUp: number;
  bytesDown: number;
  lostSegments: number;
  /** Most bytes waiting in the proxy in one direction. */
  maxQueued: number;
}

export interface ThrottleProxy {
  port: number;
  url: string;
  stats: ProxyStats;
  close(): Promise<void>;
}

const MSS = 1460;

class Pipe {
  private linkFreeAt = 0;
  private lastDeliverAt = 0;
  private queued = 0;
  private paused = false;
  private readonly pending: Array<{ seg: Buffer; at: number }> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly from: net.Socket,
    private readonly to: net.Socket,
    private readonly profile: LinkProfile,
    private readonly stats: ProxyStats,
    private readonly direction: 'up' | 'down',
    private readonly bufferBytes: number,
    private readonly random: () => number,
  ) {
    from.on('data', (chunk: Buffer) => this.push(chunk));
  }

  private push(chunk: Buffer): void {
    const { bps, rttMs, loss } = this.profile;
    for (let off = 0; off < chunk.length; off += MSS) {
      const seg = chunk.subarray(off, Math.min(chunk.length, off + MSS));
      const now = performance.now();
      const start = Math.max(now, this.linkFreeAt);
      this.linkFreeAt = start + (bps > 0 ? (seg.length * 8 * 1000) / bps : 0);
      let deliverAt = this.linkFreeAt + rttMs / 2;
      if (loss > 0 && this.random() < loss) {
        deliverAt += Math.max(200, 2 * rttMs);
        this.stats.lostSegments += 1;
      }
      deliverAt = Math.max(deliverAt, this.lastDeliverAt);
      this.lastDeliverAt = deliverAt;
      this.queued += seg.length;
      this.stats.maxQueued = Math.max(this.stats.maxQueued, this.queued);
      this.pending.push({ seg, at: deliverAt });
    }
    this.schedule();
    if (this.queued > this.bufferBytes && !this.paused) {
      this.paused = true;
      this.from.pause();
    }
  }

  /** One timer per direction, for the head of an in-order queue: bytes never overtake each other. */
  private schedule(): void {
    if (this.timer || this.pending.length === 0) return;
    const head = this.pending[0]!;
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = performance.now();
      while (this.pending.length > 0 && this.pending[0]!.at <= now + 0.5) this.deliver(this.pending.shift()!.seg);
      this.schedule();
    }, Math.max(0, head.at - performance.now()));
  }

  private deliver(seg: Buffer): void {
    this.queued -= seg.length;
    if (this.direction === 'up') this.stats.bytesUp += seg.length;
    else this.stats.bytesDown += seg.length;
    if (!this.to.destroyed) this.to.write(seg);
    if (this.paused && this.queued <= this.bufferBytes / 2) {
      this.paused = false;
      this.from.resume();
    }
  }

  /** Ends `to` once everything queued has been delivered. */
  endAfterDrain(): void {
    setTimeout(() => this.to.end(), Math.max(0, this.lastDeliverAt - performance.now()) + 1);
  }
}

/** Seeded PRNG (mulberry32) so runs with loss are repeatable. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startThrottleProxy(targetPort: number, profile: LinkProfile, options: { bufferBytes?: number; seed?: number } = {}): Promise<ThrottleProxy> {
  const stats: ProxyStats = { connections: 0, closed: 0, bytesUp: 0, bytesDown: 0, lostSegments: 0, maxQueued: 0 };
  const random = seeded(options.seed ?? 42);
  const bufferBytes = options.bufferBytes ?? 64 * 1024;
  const sockets = new Set<net.Socket>();
  let closing = false;
  const server = net.createServer((client) => {
    stats.connections += 1;
    client.setNoDelay(true);
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    const up = new Pipe(client, upstream, profile, stats, 'up', bufferBytes, random);
    const down = new Pipe(upstream, client, profile, stats, 'down', bufferBytes, random);
    let counted = false;
    const gone = () => {
      if (!counted && !closing) stats.closed += 1;
      counted = true;
    };
    client.on('end', () => (gone(), up.endAfterDrain()));
    upstream.on('end', () => (gone(), down.endAfterDrain()));
    const kill = () => {
      gone();
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', kill).on('close', () => sockets.delete(client));
    upstream.on('error', kill).on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export const PROFILES: LinkProfile[] = [
  { name: '256kbit_200ms', bps: 256_000, rttMs: 200, loss: 0 },
  { name: '1mbit_100ms', bps: 1_000_000, rttMs: 100, loss: 0 },
  { name: '1mbit_100ms_loss_1pct', bps: 1_000_000, rttMs: 100, loss: 0.01 },
];
