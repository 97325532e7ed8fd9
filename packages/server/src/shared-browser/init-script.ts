import { SDK_ORIGIN } from './in-process-socket.ts';

/** packages/sdk/src/session-store.ts: where the SDK keeps the tab's session. */
export const SESSION_STORAGE_KEY_FOR_SEED = 'samepage:session';

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
  try { if (!sessionStorage.getItem(${JSON.stringify(SESSION_STORAGE_KEY_FOR_SEED)})) sessionStorage.setItem(${JSON.stringify(SESSION_STORAGE_KEY_FOR_SEED)}, ${JSON.stringify(seed)}); } catch {}
  ${sdk}
  ;const boot = () => window.Samepage && window.Samepage.init({ siteKey: ${JSON.stringify(siteKey)}, server: ${JSON.stringify(SDK_ORIGIN)}, widget: false, presence: false });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, { once: true }); else boot();
})();`;
}
