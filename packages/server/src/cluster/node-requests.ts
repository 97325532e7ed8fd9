import { newId } from '../ids.ts';

/**
 * Questions one node asks another over the bus, each answered once or given up on after
 * `NODE_REQUEST_TIMEOUT_MS`: what an HTTP route on any node needs from the node that holds a
 * session (its home). The question travels on the asked node's channel, the answer on the asking
 * node's channel (docs/SCALING.md).
 */
export interface NodeQuestions {
  /** End this session as `POST /api/v1/sessions/:id/end` does; `ended: false` when the node holds no such live session. */
  end_session: { ask: { sid: string; tenantId: string }; answer: { ended: boolean } };
  /** The `live` part of `GET /api/v1/sessions/:id`; null when the node holds no such live session. */
  session_live: { ask: { sid: string; tenantId: string }; answer: { live: SessionLiveView | null } };
}

export type NodeQuestion = { [K in keyof NodeQuestions]: { q: K } & NodeQuestions[K]['ask'] }[keyof NodeQuestions];
export type NodeAnswer<K extends keyof NodeQuestions> = NodeQuestions[K]['answer'];

/** A live session as the HTTP API shows it: its page and who is in it. */
export interface SessionLiveView {
  page: { url: string; title: string };
  participants: Array<{ id: string; name: string; role: string }>;
}

/** Long enough for a busy node, short enough for an HTTP caller to wait; a dead node is told apart sooner by its heartbeat. */
export const NODE_REQUEST_TIMEOUT_MS = 3000;

/** The asked node is dead (no heartbeat) or did not answer in time. */
export class NodeUnreachable extends Error {
  constructor(readonly node: string) {
    super(`node ${node} did not answer`);
    this.name = 'NodeUnreachable';
  }
}

interface Pending {
  node: string;
  resolve(answer: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** The asking side: questions waiting for their answer, by id. */
export class NodeRequests {
  private readonly pending = new Map<string, Pending>();
  /** Questions that got no answer in time (for /metrics). */
  timedOut = 0;

  constructor(
    private readonly self: string,
    private readonly isAlive: (node: string) => Promise<boolean>,
    private readonly send: (node: string, envelope: { t: 'ask'; id: string; from: string; ask: NodeQuestion }) => void,
  ) {}

  /** Resolves with `node`'s answer; rejects with NodeUnreachable when it is dead or silent. */
  async ask<K extends keyof NodeQuestions>(node: string, question: { q: K } & NodeQuestions[K]['ask'], timeoutMs = NODE_REQUEST_TIMEOUT_MS): Promise<NodeAnswer<K>> {
    if (!(await this.isAlive(node))) throw new NodeUnreachable(node);
    const id = newId('ask');
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.timedOut += 1;
        reject(new NodeUnreachable(node));
      }, timeoutMs);
      this.pending.set(id, { node, resolve, reject, timer });
    });
    this.send(node, { t: 'ask', id, from: this.self, ask: question as NodeQuestion });
    return (await answer) as NodeAnswer<K>;
  }

  /** An answer arrived on this node's channel; late ones (after the timeout) are ignored. */
  answered(id: string, answer: unknown): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    clearTimeout(waiting.timer);
    waiting.resolve(answer);
  }

  /** This node is stopping: every question still waiting fails now. */
  cancelAll(): void {
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      this.pending.delete(id);
      waiting.reject(new NodeUnreachable(waiting.node));
    }
  }
}
