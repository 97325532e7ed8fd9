/**
 * The visitor's side of one session: connect, start or resume, stream, react to the server,
 * end. Owns the transport and the capture pipeline; reports state through the loader's host.
 */
import { PROTOCOL_VERSION, type ClientMessage, type ClientMessageOf, type EndedBy, type Participant, type ServerMessage, type ServerMessageOf } from '@samepage/protocol';
import type { CaptureController, CaptureHost } from './api-types.ts';
import { startCapturePipeline, type CapturePipeline } from './capture-pipeline.ts';
import { createRedactionPolicy, type RedactionPolicy } from './redaction.ts';
import { readIdentity } from './visitor-identity.ts';
import { clearStoredSession, readStoredSession, writeStoredSession, type StoredSession } from './session-store.ts';
import { connectTransport, socketUrl, type Transport } from './transport.ts';
import { answerTabClaims, claimTab } from './tab-claim.ts';
import type { AssetSupplyOptions } from './asset-supply.ts';
import type { E2eeHook } from './e2ee-hook.ts';
import { startPageWatch } from './page-watch.ts';

export const START_TIMEOUT_MS = 15_000;

export interface SessionUi {
  render(): void;
  pointer(participantId: string, x: number | null, y: number | null): void;
  setParticipants(participants: readonly Participant[]): void;
}

/** What the collaboration features (collab-manager.ts) need from the session. */
export interface SessionHooks {
  /** A server message the session does not handle itself. */
  onMessage(message: ServerMessage): void;
  /** Connected (or reconnected) with a session. */
  onReady(): void;
  onEnded(): void;
  /** End-to-end encryption (e2ee-hook.ts): between the session and the socket when the site turns it on. */
  e2ee?: E2eeHook;
}

export type SessionController = Pick<CaptureController, 'start' | 'end' | 'resume'> & {
  send(message: ClientMessage): boolean;
  isReady(): boolean;
  /** The redaction policy in force (defaults until the server's rules arrive). */
  redaction(): RedactionPolicy;
};

/**
 * @example
 *   const controller = createSessionController(host, ui);
 *   const { code } = await controller.start();
 */
export function createSessionController(host: CaptureHost, ui: SessionUi, hooks: SessionHooks): SessionController {
  let transport: Transport | null = null;
  let policy: RedactionPolicy = createRedactionPolicy();
  let requestId: string | undefined;
  let pipeline: CapturePipeline | null = null;
  let stopPageWatch: (() => void) | null = null;
  let stopAssets: (() => void) | null = null;
  let stored: StoredSession | null = null;
  let agents: Participant[] = [];
  let pending: { resolve(v: { code: string }): void; reject(e: unknown): void; promise: Promise<{ code: string }> } | null = null;
  let startTimer: ReturnType<typeof setTimeout> | undefined;

  const update: CaptureHost['update'] = (patch) => {
    host.update(patch);
    ui.render();
  };
  const report = (error: unknown): void => host.report(error);
  const persist = (): void => {
    if (stored) writeStoredSession(stored);
  };

  /** Agents and guests: everyone but the customer. */
  const setAgents = (list: readonly Participant[]): void => {
    agents = list.filter((p) => p.role !== 'host');
    ui.setParticipants(agents);
    const state = agents.length ? 'active' : 'waiting';
    update({ participants: [...agents], state });
  };

  const finish = (endedBy: EndedBy, reason: string): void => {
    // Without a created session there is nothing to call "ended": back to idle.
    const hadSession = stored !== null;
    pipeline?.stop();
    pipeline = null;
    stopPageWatch?.();
    stopPageWatch = null;
    stopAssets?.();
    stopAssets = null;
    transport?.close();
    transport = null;
    stored = null;
    agents = [];
    ui.setParticipants([]);
    clearTimeout(startTimer);
    clearStoredSession();
    hooks.e2ee?.stop(hadSession);
    removePageListeners();
    stopAnswering?.();
    stopAnswering = null;
    requestId = undefined;
    hooks.onEnded();
    if (pending) {
      pending.reject({ code: 'sdk_connection_lost', message: `The session could not start (${reason}).` });
      pending = null;
    }
    update({ state: hadSession ? 'ended' : 'idle', code: null, expiresAt: null, participants: [], connection: hadSession && reason === 'connection_lost' ? 'lost' : 'online' });
    if (hadSession) host.emit('ended', { endedBy, reason });
  };

  const startPipeline = (rules: ServerMessageOf<'welcome'>['redaction']): void => {
    if (pipeline || !stored) return;
    policy = createRedactionPolicy(rules);
    if (policy.rejectedSelectors.length) report({ code: 'sdk_config', message: `Ignored invalid redaction selectors: ${policy.rejectedSelectors.join(', ')}` });
    const session = stored;
    const sink = {
      canSend: () => !!transport?.isReady() && stored !== null,
      bufferedAmount: () => transport?.bufferedAmount() ?? 0,
      send: (frame: Uint8Array) => void transport?.sendBinary(frame),
    };
    pipeline = startCapturePipeline({
      policy,
      canvasFps: host.config.canvasFps,
      holdOffscreen: host.config.holdOffscreen !== false,
      // Encrypted: assets travel in the sealed stream (asset-supply.ts), not through the proxy.
      ...(host.config.inlineAssets && !hooks.e2ee?.on() ? { assetOrigins: [location.origin] } : {}),
      frameOrigins: () => host.snapshot().policy?.navigationOrigins ?? [],
      sink: hooks.e2ee ? hooks.e2ee.sink(sink) : sink,
      counters: { epoch: session.epoch, seq: session.seq },
      onCounters: ({ epoch, seq }) => {
        if (!stored) return;
        stored.epoch = epoch;
        stored.seq = seq;
        persist();
      },
      onError: report,
    });
    if (!pipeline) return finish('system', 'recorder_failed');
    // A single-page app's navigations: agents see the new address and title (page-watch.ts).
    stopPageWatch ??= startPageWatch((m) => void (transport?.isReady() && transport.send(m)), currentPage);
    if (host.config.inlineAssets) supplyAssets(session.sessionId, session.resumeToken);
  };

  /** SDK option inlineAssets: assets.js uploads this origin's assets for the agents, or under encryption puts them in the stream (asset-supply.ts). */
  const supplyAssets = (sessionId: string, resumeToken: string): void => {
    host
      .loadBundle('/sdk/assets.js')
      .then((factory) => {
        if (stopAssets || stored?.sessionId !== sessionId) return;
        const start = factory as (options: AssetSupplyOptions) => () => void;
        const encrypted = hooks.e2ee?.on() === true;
        if (encrypted && !pipeline) return;
        stopAssets = start({ server: host.config.server, sessionId, resumeToken, isBlocked: (el) => policy.isBlocked(el), onError: report, ...(encrypted && pipeline ? { stream: pipeline } : {}) });
      })
      .catch(report);
  };

  /** Encrypted sessions: e2ee.js between the session and the socket (once per session and page). */
  const startE2ee = (serverEpoch: number | null): void => {
    if (!stored) return;
    hooks.e2ee?.start({
      sessionId: stored.sessionId,
      serverEpoch,
      sendBinary: (frame) => transport?.sendBinary(frame) === true,
      send: (message) => transport?.isReady() === true && transport.send(message),
      takeKeyframe: () => pipeline?.takeKeyframe(),
      participants: () => agents,
    });
  };

  const onWelcome = (welcome: ServerMessageOf<'welcome'>, reconnected: boolean): void => {
    if (stored && !welcome.resumed) {
      // We asked to resume and the server did not: the session is gone.
      return finish('system', 'resume_refused');
    }
    if (welcome.policy) {
      host.update({ policy: welcome.policy });
      host.emit('policy', welcome.policy);
    }
    if (hooks.e2ee && !hooks.e2ee.welcome(welcome.policy?.e2ee === true)) {
      report({ code: 'e2ee_required', message: 'This page requires end-to-end encryption and the server did not offer it; nothing was shared.' });
      return finish('system', 'e2ee_required');
    }
    if (!stored) {
      transport?.send({ type: 'session_start', ...(requestId ? { requestId } : {}) });
      return;
    }
    const resumed = welcome.resumed;
    if (resumed) {
      // The server says where numbering continues; our stored counters may be behind it if
      // the last frames before a page load were sent but not persisted, or ahead: keep the max.
      const floor = { epoch: resumed.nextEpoch - 1, seq: resumed.nextSeq - 1 };
      stored.epoch = Math.max(stored.epoch, floor.epoch);
      stored.seq = Math.max(stored.seq, floor.seq);
      pipeline?.advanceTo(stored);
    }
    setAgents(resumed?.participants ?? []);
    startE2ee(resumed ? resumed.nextEpoch - 1 : null);
    if (reconnected || pipeline) pipeline?.takeKeyframe();
    else startPipeline(welcome.redaction);
    hooks.onReady();
  };

  const onSessionCreated = (message: ServerMessageOf<'session_created'>, rules: ServerMessageOf<'welcome'>['redaction']): void => {
    clearTimeout(startTimer);
    stored = { sessionId: message.sessionId, resumeToken: message.resumeToken, seq: 0, epoch: 0, code: message.code, expiresAt: message.expiresAt };
    persist();
    update({ state: 'waiting', code: message.code, expiresAt: message.expiresAt, participants: [] });
    host.emit('code', { code: message.code, expiresAt: message.expiresAt });
    pending?.resolve({ code: message.code });
    pending = null;
    startE2ee(null);
    startPipeline(rules);
    hooks.onReady();
  };

  let welcomeRules: ServerMessageOf<'welcome'>['redaction'];
  const onMessage = (message: ServerMessage): void => {
    hooks.e2ee?.observe(message);
    switch (message.type) {
      case 'session_created':
        return onSessionCreated(message, welcomeRules);
      case 'participant_joined':
        if (message.participant.role === 'host') return;
        setAgents([...agents.filter((p) => p.id !== message.participant.id), message.participant]);
        return host.emit('participant_joined', message.participant);
      case 'participant_left':
        hooks.onMessage(message);
        ui.pointer(message.participantId, null, null);
        setAgents(agents.filter((p) => p.id !== message.participantId));
        return host.emit('participant_left', { participantId: message.participantId, reason: message.reason });
      case 'agent_pointer':
        return ui.pointer(message.participantId, message.x, message.y);
      case 'keyframe_needed':
        return pipeline?.takeKeyframe();
      case 'session_ended':
        return finish(message.endedBy, message.reason);
      case 'error':
        hooks.onMessage(message);
        host.emit('error', { code: message.code, message: message.message });
        if (message.fatal) finish('system', message.code);
        return;
      default:
        return hooks.onMessage(message); // control, chat, drawing, invites (welcome is the transport's)
    }
  };

  // End-to-end encrypted sessions show agents the origin only (e2ee-hook.ts).
  const currentPage = (): ClientMessageOf<'host_page'>['page'] =>
    hooks.e2ee ? hooks.e2ee.page() : { url: location.href.slice(0, 4096), title: document.title.slice(0, 1024) };
  const hello = (): ClientMessageOf<'host_hello'> => ({
    type: 'host_hello',
    v: PROTOCOL_VERSION,
    siteKey: host.config.siteKey,
    page: currentPage(),
    e2ee: hooks.e2ee !== undefined,
    ...(stored ? { resume: { sessionId: stored.sessionId, token: stored.resumeToken } } : {}),
    ...withVisitor(),
  });
  const withVisitor = (): { visitor?: NonNullable<ClientMessageOf<'host_hello'>['visitor']> } => {
    const visitor = readIdentity();
    return visitor ? { visitor } : {};
  };

  /** Tells the page (event) and the widget (snapshot) that the connection dropped or came back. */
  const setConnection = (state: 'online' | 'reconnecting'): void => {
    const was = host.snapshot().connection ?? 'online';
    if (was === state || (state === 'reconnecting' && !stored)) return;
    update({ connection: state });
    if (was === 'reconnecting' || state === 'reconnecting') host.emit('connection', { state });
  };

  let stopAnswering: (() => void) | null = null;
  const connect = (): void => {
    stopAnswering ??= answerTabClaims(() => stored?.sessionId ?? null);
    transport = connectTransport({
      url: socketUrl(host.config.server),
      hello,
      onWelcome: (welcome, reconnected) => {
        welcomeRules = welcome.redaction;
        setConnection('online');
        onWelcome(welcome, reconnected);
      },
      onMessage,
      onBinary: (frame) => hooks.e2ee?.receive(frame),
      onReconnecting: () => setConnection('reconnecting'), // the pipeline drops frames until the next welcome
      onClosed: ({ code, fatal }) => {
        transport = null;
        if (!fatal && stored) host.emit('connection', { state: 'lost' });
        finish('system', fatal ? `closed_${code}` : 'connection_lost');
        if (!fatal) host.emit('error', { code: 'sdk_connection_lost', message: 'The connection to Samepage was lost.' });
      },
      shouldReconnect: () => stored !== null,
      onError: report,
    });
    addPageListeners();
  };

  // ---- page lifecycle (visibility and idle: host-presence.ts) -----------------------------
  const onPageHide = (): void => {
    persist();
    transport?.send({ type: 'host_unload' });
  };
  const onPageShow = (event: PageTransitionEvent): void => {
    if (event.persisted) transport?.reconnectNow(); // back from the bfcache
  };
  const addPageListeners = (): void => {
    window.addEventListener('pagehide', onPageHide);
    window.addEventListener('pageshow', onPageShow);
  };
  function removePageListeners(): void {
    window.removeEventListener('pagehide', onPageHide);
    window.removeEventListener('pageshow', onPageShow);
  }

  return {
    send: (message) => hooks.e2ee?.intercept(message) === true || (transport?.isReady() === true && transport.send(message)),
    isReady: () => transport?.isReady() === true && stored !== null,
    redaction: () => policy,
    start(options) {
      if (pending) return pending.promise;
      const current = host.snapshot();
      if (stored && current.code && (current.state === 'waiting' || current.state === 'active')) {
        return Promise.resolve({ code: current.code });
      }
      let resolve!: (v: { code: string }) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<{ code: string }>((res, rej) => ((resolve = res), (reject = rej)));
      pending = { resolve, reject, promise };
      requestId = options?.requestId;
      update({ state: 'starting', code: null, expiresAt: null, participants: [] });
      startTimer = setTimeout(() => finish('system', 'start_timeout'), START_TIMEOUT_MS);
      connect();
      return promise;
    },
    async end() {
      if (!transport && !readStoredSession()) return;
      transport?.send({ type: 'session_end' });
      finish('customer', 'stopped');
    },
    resume() {
      const candidate = readStoredSession();
      if (!candidate || transport || stored) return;
      // A tab opened by script or duplicated carries a copy of the session: only the tab
      // that is live in it keeps it (tab-claim.ts, docs/TABS.md).
      void claimTab(candidate.sessionId).then((free) => {
        if (transport || stored) return;
        if (!free) return clearStoredSession();
        stored = candidate;
        update({ state: 'starting', code: stored.code ?? null, expiresAt: stored.expiresAt ?? null });
        connect();
      });
    },
  };
}
