import type { EndedBy, HostStatus } from '@samepage/protocol';

/**
 * The life of one co-browsing session, as a pure function so it can be tested without sockets.
 * The host (customer's tab) may drop and resume; agents come and go; the session ends once.
 */
export interface SessionState {
  hostConnected: boolean;
  /** Why the host is away: it announced an unload (page load / close) or it just dropped. */
  awayReason: 'unloading' | 'reconnecting' | null;
  hostVisible: boolean;
  hostIdle: boolean;
  agents: number;
  ended: { by: EndedBy; reason: string } | null;
}

export type SessionEvent =
  | { type: 'agent_joined' }
  | { type: 'agent_left' }
  | { type: 'host_unloading' }
  | { type: 'host_dropped' }
  | { type: 'host_resumed' }
  | { type: 'host_visibility'; visible: boolean; idle?: boolean }
  | { type: 'resume_timeout' }
  | { type: 'host_stopped' }
  | { type: 'system_ended'; reason: string };

export type Transition = { ok: true; state: SessionState } | { ok: false; reason: string };

export const INITIAL_SESSION_STATE: SessionState = { hostConnected: true, awayReason: null, hostVisible: true, hostIdle: false, agents: 0, ended: null };

export type SessionPhase = 'waiting' | 'live' | 'host_away' | 'ended';

export function sessionPhase(state: SessionState): SessionPhase {
  if (state.ended) return 'ended';
  if (!state.hostConnected) return 'host_away';
  return state.agents > 0 ? 'live' : 'waiting';
}

/** What agents are told about the host. */
export function hostStatus(state: SessionState): HostStatus {
  if (!state.hostConnected) return state.awayReason ?? 'reconnecting';
  if (!state.hostVisible) return 'hidden';
  return state.hostIdle ? 'idle' : 'active';
}

function end(state: SessionState, by: EndedBy, reason: string): Transition {
  return { ok: true, state: { ...state, ended: { by, reason } } };
}

export function transition(state: SessionState, event: SessionEvent): Transition {
  if (state.ended) return { ok: false, reason: 'session has ended' };
  switch (event.type) {
    case 'agent_joined':
      return { ok: true, state: { ...state, agents: state.agents + 1 } };
    case 'agent_left':
      if (state.agents === 0) return { ok: false, reason: 'no agent to leave' };
      return { ok: true, state: { ...state, agents: state.agents - 1 } };
    case 'host_unloading':
      if (!state.hostConnected) return { ok: false, reason: 'host is not connected' };
      return { ok: true, state: { ...state, awayReason: 'unloading' } };
    case 'host_dropped':
      if (!state.hostConnected) return { ok: false, reason: 'host is not connected' };
      return { ok: true, state: { ...state, hostConnected: false, awayReason: state.awayReason ?? 'reconnecting' } };
    case 'host_resumed':
      // A resume while "connected" is a takeover from a connection that has not noticed it died.
      return { ok: true, state: { ...state, hostConnected: true, awayReason: null, hostVisible: true, hostIdle: false } };
    case 'host_visibility':
      return { ok: true, state: { ...state, hostVisible: event.visible, hostIdle: event.idle ?? false } };
    case 'resume_timeout':
      if (state.hostConnected) return { ok: false, reason: 'host is connected' };
      return end(state, 'customer', state.awayReason === 'unloading' ? 'closed' : 'disconnected');
    case 'host_stopped':
      return end(state, 'customer', 'stopped');
    case 'system_ended':
      return end(state, 'system', event.reason);
    default:
      return assertNever(event);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
