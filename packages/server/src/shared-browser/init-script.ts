import { SDK_ORIGIN } from './in-process-socket.ts';

/** packages/sdk/src/session-store.ts: where the SDK keeps the tab's session. */
export const SESSION_STORAGE_KEY_FOR_SEED = 'samepage:session';
/** packages/sdk/src/tab-claim.ts: the channel on which tabs claim a session. */
const TAB_CLAIM_CHANNEL = 'samepage:tab-claim';

/**
 * What runs in every page and frame of a shared browser before the page's own scripts: the SDK
 * loader (sdk.js) with the session already in sessionStorage, so the top frame resumes the
 * session the server started, on every page load, cross-origin ones included. The script is
 * injected into every frame but only the top frame runs the SDK: rrweb captures same-origin
 * frames from the top document; cross-origin frames are not shown (docs/SHARED-BROWSER.md).
 */
export function sdkInitScript(sdk: string, siteKey: string, session: { sessionId: string; resumeToken: string }): string {
  const seed = JSON.stringify({ sessionId: session.sessionId, resumeToken: session.resumeToken, seq: 0, epoch: 0 });
  return `(() => {
  if (window.top !== window || window.Samepage) return;
  // The server picks the streamed tab (only its SDK may connect), so the SDK's tab claim
  // (sdk/src/tab-claim.ts), which would make a tab the agent switches to drop the session because
  // the previous tab is still live, is given a channel of its own that nobody else hears.
  try {
    const BC = window.BroadcastChannel;
    if (typeof BC === 'function') window.BroadcastChannel = new Proxy(BC, { construct: (target, args) => (args[0] === ${JSON.stringify(TAB_CLAIM_CHANNEL)} ? new target(args[0] + ':' + Math.random()) : new target(...args)) });
  } catch {}
  try { if (!sessionStorage.getItem(${JSON.stringify(SESSION_STORAGE_KEY_FOR_SEED)})) sessionStorage.setItem(${JSON.stringify(SESSION_STORAGE_KEY_FOR_SEED)}, ${JSON.stringify(seed)}); } catch {}
  ${sdk}
  ;const boot = () => window.Samepage && window.Samepage.init({ siteKey: ${JSON.stringify(siteKey)}, server: ${JSON.stringify(SDK_ORIGIN)}, widget: false, presence: false });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, { once: true }); else boot();
})();`;
}
