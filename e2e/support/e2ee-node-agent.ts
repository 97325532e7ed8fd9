/**
 * An agent for end-to-end encryption tests that runs in Node on the protocol's own crypto core,
 * over a real socket to the real server, against the real SDK in a browser. Unlike the console it
 * keeps everything it ever received: every frame and every epoch key, as a malicious or careless
 * agent could, so a test can show what it still cannot open after it left, or before it joined.
 */
import WebSocket from 'ws';
import {
  AgentPairing,
  E2EE_CUSTOMER,
  Keyring,
  PROTOCOL_VERSION,
  createPairingIdentity,
  createPairwiseSender,
  decodeAppBody,
  decodeE2eeHeader,
  decodePairFrame,
  encodeAppBody,
  encodePairFrame,
  readEpochKey,
  sealVouch,
  type ControlAction,
  type EpochSecret,
  type FrameSender,
  type OpenResult,
  type PairwiseLink,
} from '@samepage/protocol';
import type { ServerJson } from './socket-client.ts';

export interface NodeAgent {
  sessionId: string;
  member: number;
  participantId: string;
  /** Every binary frame received, in order, with the time it arrived. */
  frames: Array<{ at: number; data: Uint8Array }>;
  messages: ServerJson[];
  /** Every epoch key received (never forgotten). */
  epochs: EpochSecret[];
  /** Resolves with the code once both sides have it. */
  code: Promise<string>;
  verified(): boolean;
  /** Opens a frame with every key this agent ever held (pairwise and group). */
  open(frame: Uint8Array): Promise<OpenResult>;
  /** Seals a control action under this agent's pairwise key for the newest epoch and sends it. */
  sendControl(actionId: number, action: ControlAction): Promise<Uint8Array>;
  /** Seals a vouch (a waiting member and the key fingerprint this agent claims it checked) the same way, and sends it. */
  sendVouch(newcomer: number, fingerprint: Uint8Array): Promise<Uint8Array>;
  /** The ctl_result bodies the customer sent back (opened). */
  results: Array<{ actionId: number; ok: boolean; failure?: string }>;
  send(message: object): void;
  next(type: string, timeoutMs?: number): Promise<ServerJson>;
  close(): Promise<void>;
}

/** Logs in through the API and returns the session cookie. */
export async function loginCookie(serverUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${serverUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-samepage-csrf': '1' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login of ${email}: HTTP ${res.status}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

/**
 * Joins with a code and commits to the customer's tab at once.
 *
 * @example
 *   const a = await joinAsNodeAgent(server.url, cookie, code);
 *   await customerConfirms(await a.code);
 */
export async function joinAsNodeAgent(serverUrl: string, cookie: string, code: string): Promise<NodeAgent> {
  const ws = new WebSocket(serverUrl.replace(/^http/, 'ws') + '/ws', { headers: { cookie }, origin: serverUrl });
  const frames: NodeAgent['frames'] = [];
  const messages: ServerJson[] = [];
  const waiters = new Set<() => void>();
  const keyring = new Keyring();
  const epochs: EpochSecret[] = [];
  const results: NodeAgent['results'] = [];
  let pairing: AgentPairing | null = null;
  let link: PairwiseLink | null = null;
  let member = -1;
  let pairSeq = 0;
  let lastEpoch = 0;
  const senders = new Map<number, FrameSender>();
  let resolveCode!: (code: string) => void;
  const codePromise = new Promise<string>((resolve) => (resolveCode = resolve));
  let chain: Promise<void> = Promise.resolve();

  const sendPair = (body: Parameters<typeof encodePairFrame>[1] | null): void => {
    if (body) ws.send(encodePairFrame({ epoch: lastEpoch, sender: member, to: E2EE_CUSTOMER, seq: pairSeq++ }, body));
  };

  const handle = async (frame: Uint8Array): Promise<void> => {
    const header = decodeE2eeHeader(frame);
    if (!header) return;
    lastEpoch = Math.max(lastEpoch, header.epoch);
    if (header.type === 'pair' && header.sender === E2EE_CUSTOMER && pairing) {
      const pair = decodePairFrame(frame);
      if (!pair) return;
      sendPair((await pairing.receive(pair.body)).send);
      if (pairing.state === 'revealed' && pairing.sas) resolveCode(pairing.sas);
      const verified = pairing.link();
      if (verified && !link) {
        link = verified;
        keyring.addLink(verified, 'agent');
      }
      return;
    }
    if (header.type === 'key') {
      const epoch = readEpochKey(await keyring.open(frame));
      if (epoch && (await keyring.addEpoch(epoch, sessionId))) epochs.push(epoch);
    } else if (header.type === 'ctl_result') {
      const opened = await keyring.open(frame);
      const body = opened.ok ? decodeAppBody('ctl_result', opened.plaintext) : null;
      if (body) results.push({ actionId: body.actionId, ok: body.ok, ...(body.failure ? { failure: body.failure } : {}) });
    }
  };

  ws.on('message', (data, isBinary) => {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      const frame = new Uint8Array(bytes);
      frames.push({ at: Date.now(), data: frame });
      chain = chain.then(() => handle(frame)).catch(() => undefined);
    } else {
      messages.push(JSON.parse(bytes.toString('utf8')) as ServerJson);
    }
    for (const wake of waiters) wake();
  });
  let closed = false;
  ws.on('close', () => {
    closed = true;
    for (const wake of waiters) wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });

  let cursor = 0;
  const next = (type: string, timeoutMs = 10_000): Promise<ServerJson> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        for (let i = cursor; i < messages.length; i++) {
          if (messages[i]?.type === type) {
            cursor = i + 1;
            done();
            return resolve(messages[i]!);
          }
        }
        if (closed) {
          done();
          reject(new Error(`closed while waiting for ${type}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${type} within ${timeoutMs} ms; got ${messages.map((m) => m.type).join(', ')}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const send = (message: object): void => ws.send(JSON.stringify(message));
  send({ type: 'agent_hello', v: PROTOCOL_VERSION, e2ee: true });
  await next('welcome');
  send({ type: 'join', code });
  const joined = (await next('joined')) as ServerJson & { sessionId: string; participantId: string; participants: Array<{ id: string; member?: number }> };
  const sessionId = joined.sessionId;
  member = joined.participants.find((p) => p.id === joined.participantId)?.member ?? -1;
  if (member < 1) throw new Error('no member number in joined');
  pairing = new AgentPairing({ sessionId, member, identity: await createPairingIdentity() });
  sendPair((await pairing.start()).send);

  /** This agent's pairwise sender to the customer for the newest epoch (one per epoch: its seq goes on). */
  const toCustomer = async (): Promise<FrameSender> => {
    const epoch = epochs[epochs.length - 1];
    if (!link || !epoch) throw new Error('not verified, or no epoch key yet');
    let sender = senders.get(epoch.epoch);
    if (!sender) senders.set(epoch.epoch, (sender = await createPairwiseSender(link, epoch.epoch, 'agent')));
    return sender;
  };

  return {
    sessionId,
    member,
    participantId: joined.participantId,
    frames,
    messages,
    epochs,
    code: codePromise,
    results,
    verified: () => link !== null,
    open: (frame) => keyring.open(frame, { inflate: false }),
    async sendControl(actionId, action) {
      const frame = await (await toCustomer()).seal('ctl', encodeAppBody('ctl', { actionId, action }));
      ws.send(frame);
      return frame;
    },
    async sendVouch(newcomer, fingerprint) {
      const frame = await sealVouch(await toCustomer(), { newcomer, fingerprint: new Uint8Array(fingerprint) });
      ws.send(frame);
      return frame;
    },
    send,
    next,
    async close() {
      if (closed) return;
      ws.close();
      await new Promise<void>((resolve) => ws.once('close', () => resolve()));
    },
  };
}
