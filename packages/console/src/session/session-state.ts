/** The session state the screens render (everything but chat, pointers, drawings and notices). */
import type { BrowserTab, EndedBy, HostStatus, HostUi, Participant, SitePolicyPublic, Visitor, VisitorIdentity } from '@samepage/protocol';
import { NO_CONTROL, type ControlView } from './control-text.ts';
import type { Viewer } from './permissions.ts';

export type SessionPhase = 'idle' | 'connecting' | 'joining' | 'live' | 'ended';

export interface SessionState {
  phase: SessionPhase;
  /** Shown next to the code field (or the guest's name field). */
  joinError: string | null;
  sessionId: string | null;
  participantId: string | null;
  participants: Participant[];
  hostStatus: HostStatus;
  /** What the customer's built-in widget shows (null until reported, and in headless mode). */
  hostUi: HostUi | null;
  page: { url: string; title: string } | null;
  ended: { endedBy: EndedBy | 'connection'; reason: string } | null;
  /** Who this console is and what it may do (from `welcome`). */
  viewer: Viewer;
  policy: SitePolicyPublic | null;
  control: ControlView;
  /** The customer, when the site identified them. */
  visitor: VisitorIdentity | null;
  /** The last colleague invite this agent created. */
  invite: { code: string; expiresAt: number } | null;
  /** Live visitors of the tenant's sites; null until the first list arrives. */
  visitors: Visitor[] | null;
  /** This agent's co-browse request to a visitor. */
  cobrowse: { visitorId: string; status: 'waiting' | 'declined' } | null;
  /** The socket dropped during a live session and is being re-established. */
  reconnecting: boolean;
  /** Set when the session streams a shared browser on the server: its tabs (docs/SHARED-BROWSER.md). */
  sharedBrowser: { tabs: BrowserTab[] } | null;
}

export const initialState: SessionState = {
  phase: 'idle',
  joinError: null,
  sessionId: null,
  participantId: null,
  participants: [],
  hostStatus: 'active',
  hostUi: null,
  page: null,
  ended: null,
  viewer: { kind: 'unknown' },
  policy: null,
  control: NO_CONTROL,
  visitor: null,
  invite: null,
  visitors: null,
  cobrowse: null,
  reconnecting: false,
  sharedBrowser: null,
};

/** What is kept when a session ends or is left: who the agent is, and the home screen's lists. */
export function stateAfterSession(state: SessionState): SessionState {
  return { ...initialState, viewer: state.viewer, visitors: state.visitors };
}
