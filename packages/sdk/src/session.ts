/**
 * The visitor's side of one session: connect, start or resume, stream, react to the server,
 * end. Owns the transport and the capture pipeline; reports state through the loader's host.
 */
import { PROTOCOL_VERSION, type ClientMessageOf, type EndedBy, type Participant, type ServerMessage, type ServerMessageOf } from '@samepage/protocol';
import type { CaptureController, CaptureHost } from './api-types.ts';
import { startCapturePipeline, type CapturePipeline } from './capture-pipeline.ts';
import { createRedactionPolicy } from './redaction.ts';
import { clearStoredSession, readStoredSession, writeStoredSession, type StoredSession } from './session-store.ts';
import { connectTransport, socketUrl, type Transport } from './transport.ts';

export const START_TIMEOUT_MS = 15_000;

export interface SessionUi {
  render(): void;
  pointer(participantId: string, x: number | null, y: number | null): void;
  setParticipants(participants: readonly Participant[]): void;
}

/**
 * @example
 *   const controller = createSessionController(host, ui);
 *   const { code } = await controller.start();
 */
export function createSessionController(host: CaptureHost, ui: SessionUi): CaptureController {
  let transport: Transport | null = null;
  let pipeline: CapturePipeline | null = null;
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

  const setAgents = (list: readonly Participant[]): void => {
    agents = list.filter((p) => p.role === 'agent');
    ui.setParticipants(agents);
    const state = agents.length ? 'active' : 'waiting';
    update({ participants: [...agents], state });
  };

  const finish = (endedBy: EndedBy, reason: string): void => {
    // Without a created session there is nothing to call "ended": back to idle.
    const hadSession = stored !== null;
    pipeline?.stop();
    pipeline = null;
    transport?.close();
    transport = null;
    stored = null;
    agents = [];
    ui.setParticipants([]);
    clearTimeout(startTimer);
    clearStoredSession();
    removePageListeners();
    if (pending) {
      pending.reject({ code: 'sdk_connection_lost', message: `The session could not start (${reason}).` });
      pending = null;
    }
    update({ state: hadSession ? 'ended' : 'idle', code: null, expiresAt: null, participants: [] });
    if (hadSession) host.emit('ended', { endedBy, reason });
  };

  const startPipeline = (rules: ServerMessageOf<'welcome'>['redaction']): void => {
    if (pipeline || !stored) return;
    const policy = createRedactionPolicy(rules);
    if (policy.rejectedSelectors.length) report({ code: 'sdk_config', message: `Ignored invalid redaction selectors: ${policy.rejectedSelectors.join(', ')}` });
    const session = stored;
    pipeline = startCapturePipeline({
      policy,
      sink: {
        canSend: () => !!transport?.isReady() && stored !== null,
        bufferedAmount: () => transport?.bufferedAmount() ?? 0,
        send: (frame) => void transport?.sendBinary(frame),
      },
      counters: { epoch: session.epoch, seq: session.seq },
      onCounters: ({ epoch, seq }) => {
        if (!stored) return;
        stored.epoch = epoch;
        stored.seq = seq;
        persist();
      },
      onError: report,
    });
    if (!pipeline) finish('system', 'recorder_failed');
  };

  const onWelcome = (welcome: ServerMessageOf<'welcome'>, reconnected: boolean): void => {
    if (stored && !welcome.resumed) {
      // We asked to resume and the server did not: the session is gone.
      return finish('system', 'resume_refused');
    }
    if (!stored) {
      transport?.send({ type: 'session_start' });
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
    if (reconnected || pipeline) pipeline?.takeKeyframe();
    else startPipeline(welcome.redaction);
    sendVisibility();
  };

  const onSessionCreated = (message: ServerMessageOf<'session_created'>, rules: ServerMessageOf<'welcome'>['redaction']): void => {
    clearTimeout(startTimer);
    stored = { sessionId: message.sessionId, resumeToken: message.resumeToken, seq: 0, epoch: 0, code: message.code, expiresAt: message.expiresAt };
    persist();
    update({ state: 'waiting', code: message.code, expiresAt: message.expiresAt, participants: [] });
    host.emit('code', { code: message.code, expiresAt: message.expiresAt });
    pending?.resolve({ code: message.code });
    pending = null;
    startPipeline(rules);
  };

  let welcomeRules: ServerMessageOf<'welcome'>['redaction'];
  const onMessage = (message: ServerMessage): void => {
    switch (message.type) {
      case 'session_created':
        return onSessionCreated(message, welcomeRules);
      case 'participant_joined':
        if (message.participant.role !== 'agent') return;
        setAgents([...agents.filter((p) => p.id !== message.participant.id), message.participant]);
        return host.emit('participant_joined', message.participant);
      case 'participant_left':
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
        host.emit('error', { code: message.code, message: message.message });
        if (message.fatal) finish('system', message.code);
        return;
      default:
        return; // welcome is handled by the transport; the rest is for agents
    }
  };

  const hello = (): ClientMessageOf<'host_hello'> => ({
    type: 'host_hello',
    v: PROTOCOL_VERSION,
    siteKey: host.config.siteKey,
    page: { url: location.href.slice(0, 4096), title: document.title.slice(0, 1024) },
    ...(stored ? { resume: { sessionId: stored.sessionId, token: stored.resumeToken } } : {}),
  });

  const connect = (): void => {
    transport = connectTransport({
      url: socketUrl(host.config.server),
      hello,
      onWelcome: (welcome, reconnected) => {
        welcomeRules = welcome.redaction;
        onWelcome(welcome, reconnected);
      },
      onMessage,
      onReconnecting: () => undefined, // the pipeline drops frames until the next welcome
      onClosed: ({ code, fatal }) => {
        transport = null;
        finish('system', fatal ? `closed_${code}` : 'connection_lost');
        if (!fatal) host.emit('error', { code: 'sdk_connection_lost', message: 'The connection to Samepage was lost.' });
      },
      shouldReconnect: () => stored !== null,
      onError: report,
    });
    addPageListeners();
  };

  // ---- page lifecycle ------------------------------------------------------------------
  const sendVisibility = (): void => {
    transport?.send({ type: 'host_visibility', visible: document.visibilityState === 'visible' });
  };
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
    document.addEventListener('visibilitychange', sendVisibility);
  };
  function removePageListeners(): void {
    window.removeEventListener('pagehide', onPageHide);
    window.removeEventListener('pageshow', onPageShow);
    document.removeEventListener('visibilitychange', sendVisibility);
  }

  return {
    start() {
      if (pending) return pending.promise;
      const current = host.snapshot();
      if (stored && current.code && (current.state === 'waiting' || current.state === 'active')) {
        return Promise.resolve({ code: current.code });
      }
      let resolve!: (v: { code: string }) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<{ code: string }>((res, rej) => ((resolve = res), (reject = rej)));
      pending = { resolve, reject, promise };
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
      stored = readStoredSession();
      if (!stored || transport) return;
      update({ state: 'starting', code: stored.code ?? null, expiresAt: stored.expiresAt ?? null });
      connect();
    },
  };
}
