/**
 * One session, one tab. sessionStorage is per tab, but a browser copies it into a tab opened
 * by script (`window.open` without noopener) and into a duplicated tab. Without a check, that
 * copy would resume the session and take it over: the agent would see the NEW tab, which the
 * customer never chose to share (docs/TABS.md). So before resuming, a page asks the other
 * same-origin tabs whether one of them is live in that session; if one answers, the stored
 * session is only a copy and this tab drops it. After a page load in the same tab the old
 * document is gone and nobody answers, so the session resumes after `waitMs`.
 */
const CHANNEL = 'samepage:tab-claim';
export const CLAIM_WAIT_MS = 150;

interface ClaimMessage {
  kind: 'who' | 'mine';
  sessionId: string;
}

/** Answers "who has session X?" for as long as this tab is live in `sessionId()`. */
export function answerTabClaims(sessionId: () => string | null): () => void {
  if (typeof BroadcastChannel !== 'function') return () => undefined;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<ClaimMessage>) => {
    const mine = sessionId();
    if (event.data?.kind === 'who' && mine && event.data.sessionId === mine) channel.postMessage({ kind: 'mine', sessionId: mine } satisfies ClaimMessage);
  };
  return () => channel.close();
}

/** Resolves true when no other live tab holds `sessionId` (this tab may resume it). */
export function claimTab(sessionId: string, waitMs = CLAIM_WAIT_MS): Promise<boolean> {
  if (typeof BroadcastChannel !== 'function') return Promise.resolve(true);
  return new Promise((resolve) => {
    const channel = new BroadcastChannel(CHANNEL);
    const done = (free: boolean): void => {
      clearTimeout(timer);
      channel.close();
      resolve(free);
    };
    const timer = setTimeout(() => done(true), waitMs);
    channel.onmessage = (event: MessageEvent<ClaimMessage>) => {
      if (event.data?.kind === 'mine' && event.data.sessionId === sessionId) done(false);
    };
    channel.postMessage({ kind: 'who', sessionId } satisfies ClaimMessage);
  });
}
