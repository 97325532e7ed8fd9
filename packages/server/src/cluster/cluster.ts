import type { Logger } from 'pino';
import type { ClientMessage, Participant, SitePolicyPublic, VisitorIdentity } from '@samepage/protocol';
import { newId } from '../ids.ts';
import type { UserRecord } from '../store.ts';
import type { PeerSocket } from '../relay/peer.ts';
import type { Bus } from './bus.ts';

/**
 * Where a live session lives, kept on the bus so any node can route to it or, when its home node
 * is gone, take it over. Written by the home node whenever membership changes.
 */
export interface SessionRecord {
  home: string;
  tenantId: string;
  siteId: string;
  /** sha256 of the customer's resume token; the token itself never leaves the customer's tab and the home node. */
  tokenHash: string;
  policy: SitePolicyPublic;
  controlRoles: string[];
  visitor?: VisitorIdentity;
  page: { url: string; title: string };
  startedAt: number;
  formerAgents: string[];
  /** Agents and where their sockets are; they keep their participant id when the home moves. */
  members: Array<{ node: string; conn: string; participant: Participant }>;
  /** End-to-end encrypted sessions: the next member number to give out (numbers are never reused). */
  e2eeNextMember?: number;
}

/** A user as sent between nodes: never the password hash. */
export type WireUser = Omit<UserRecord, 'passwordHash'>;

/** Messages on a node's own channel `sp:node:<id>`. JSON, except DOM frames (binary, see encodeFrames). */
export type Envelope =
  /** agent's node → home: this console joins the session (again, with its participant, after a move). */
  | { t: 'attach'; sid: string; node: string; conn: string; user: WireUser; via: string; ip: string; origin: string; participant?: Participant; e2ee?: boolean }
  /** agent's node → home: a message from the console, or its socket closed. */
  | { t: 'msg'; node: string; conn: string; m: ClientMessage }
  | { t: 'close'; node: string; conn: string }
  /** home → agent's node: an encoded server message for the console, its participant, or a close. */
  | { t: 'send'; conn: string; m: string }
  | { t: 'linked'; conn: string; sid: string; participant: Participant }
  | { t: 'end'; conn: string; code: number; reason: string }
  /** new home → every node of the session: the session moved; re-attach there. */
  | { t: 'rehome'; sid: string; home: string };

const FRAME_KIND = 0x01;
/** A binary frame from a console on another node to the session's home: an encrypted frame (docs/E2EE.md). */
const UP_FRAME_KIND = 0x02;
const SESSION_TTL_MS = 24 * 3600 * 1000;
const ALIVE_TTL_MS = 4000;

export interface ClusterHandlers {
  onEnvelope(envelope: Envelope): void;
  onFrames(conns: string[], frame: Uint8Array): void;
  /** On the home node: a console on node `node` (socket `conn`) sent this binary frame. */
  onUpFrame?(node: string, conn: string, frame: Uint8Array): void;
}

/** This node's place in the cluster: its channel, its heartbeat, and the session records. */
export class Cluster {
  readonly nodeId = newId('node');
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly writes = new Map<string, Promise<void>>();

  constructor(
    readonly bus: Bus,
    private readonly log: Logger,
  ) {}

  async start(handlers: ClusterHandlers): Promise<void> {
    await this.bus.subscribe(`sp:node:${this.nodeId}`, (payload) => {
      try {
        if (payload[0] === FRAME_KIND) {
          const { conns, frame } = decodeFrames(payload);
          handlers.onFrames(conns, frame);
        } else if (payload[0] === UP_FRAME_KIND) {
          const { conns, frame } = decodeFrames(payload);
          const [node = '', conn = ''] = conns;
          handlers.onUpFrame?.(node, conn, frame);
        } else handlers.onEnvelope(JSON.parse(payload.toString('utf8')) as Envelope);
      } catch (err) {
        this.log.error({ err }, 'bad cluster message');
      }
    });
    const beat = () => this.bus.setValue(`sp:alive:${this.nodeId}`, String(Date.now()), ALIVE_TTL_MS).catch((err: unknown) => this.log.warn({ err }, 'heartbeat failed'));
    await beat();
    this.heartbeat = setInterval(beat, ALIVE_TTL_MS / 4);
    this.heartbeat.unref();
  }

  send(node: string, envelope: Envelope): void {
    this.bus.publish(`sp:node:${node}`, JSON.stringify(envelope));
  }

  /** One publish per node, however many of its consoles watch the session. */
  sendFrame(node: string, conns: string[], frame: Uint8Array): void {
    this.bus.publish(`sp:node:${node}`, encodeFrames(conns, frame));
  }

  /** A console's encrypted frame, to its session's home; the frame's bytes are passed on as they are. */
  sendUpFrame(home: string, conn: string, frame: Uint8Array): void {
    const payload = encodeFrames([this.nodeId, conn], frame);
    payload[0] = UP_FRAME_KIND;
    this.bus.publish(`sp:node:${home}`, payload);
  }

  /** A socket on another node, as the session's home sees it. */
  remoteSocket(node: string, conn: string): PeerSocket {
    return {
      bufferedAmount: 0,
      send: (data) => (typeof data === 'string' ? this.send(node, { t: 'send', conn, m: data }) : this.sendFrame(node, [conn], data)),
      close: (code, reason) => this.send(node, { t: 'end', conn, code, reason }),
    };
  }

  async isAlive(node: string): Promise<boolean> {
    return node === this.nodeId || (await this.bus.getValue(`sp:alive:${node}`)) !== null;
  }

  /** Writes are chained per session so the last one wins. */
  saveSession(sid: string, record: SessionRecord): void {
    const previous = this.writes.get(sid) ?? Promise.resolve();
    const next = previous
      .then(() => this.bus.setValue(`sp:session:${sid}`, JSON.stringify(record), SESSION_TTL_MS))
      .catch((err: unknown) => this.log.error({ err, sessionId: sid }, 'could not save the session record'));
    this.writes.set(sid, next);
    void next.then(() => {
      if (this.writes.get(sid) === next) this.writes.delete(sid);
    });
  }

  async loadSession(sid: string): Promise<SessionRecord | null> {
    const raw = await this.bus.getValue(`sp:session:${sid}`);
    return raw ? (JSON.parse(raw) as SessionRecord) : null;
  }

  endSession(sid: string): void {
    const previous = this.writes.get(sid) ?? Promise.resolve();
    void previous.then(() => this.bus.deleteValue(`sp:session:${sid}`)).catch(() => undefined);
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.bus.deleteValue(`sp:alive:${this.nodeId}`).catch(() => undefined);
  }
}

function encodeFrames(conns: string[], frame: Uint8Array): Buffer {
  const ids = conns.map((c) => Buffer.from(c, 'latin1'));
  const head = Buffer.alloc(2 + ids.reduce((n, id) => n + 1 + id.length, 0));
  head[0] = FRAME_KIND;
  head[1] = ids.length;
  let at = 2;
  for (const id of ids) {
    head[at] = id.length;
    id.copy(head, at + 1);
    at += 1 + id.length;
  }
  return Buffer.concat([head, frame]);
}

function decodeFrames(payload: Buffer): { conns: string[]; frame: Uint8Array } {
  const count = payload[1] ?? 0;
  const conns: string[] = [];
  let at = 2;
  for (let i = 0; i < count; i++) {
    const len = payload[at] ?? 0;
    conns.push(payload.subarray(at + 1, at + 1 + len).toString('latin1'));
    at += 1 + len;
  }
  return { conns, frame: payload.subarray(at) };
}
