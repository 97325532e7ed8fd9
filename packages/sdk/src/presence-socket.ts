/**
 * The loader's light presence socket: it says "this tab is here" (`visitor_hello`) so agents
 * can offer help, and carries agent-initiated co-browse requests and the customer's answers.
 * It lives in the loader, so it stays tiny: no schema library, only the two fields we use are
 * checked, and it reconnects with capped backoff. Close codes 44xx (but 4429) mean "stop".
 */
import type { CobrowseRequest } from './api-types.ts';
import type { SiteTheme, VisitorIdentity } from '@samepage/protocol';
import { json } from './safe-json.ts';

/** PROTOCOL_VERSION; importing the protocol package here would pull its schemas into the loader. */
export const PRESENCE_PROTOCOL_VERSION = 1;
const MAX_BACKOFF_MS = 30_000;
const MAX_QUEUED = 10;
/** How often the loader looks for a single-page navigation (a new address or title) to tell agents. */
const PAGE_CHECK_MS = 2000;

export interface PresenceSocket {
  identify(identity: VisitorIdentity | undefined): void;
  answer(requestId: string, accepted: boolean): void;
  stop(): void;
}

export interface PresenceOptions {
  /** The Samepage server's origin. */
  server: string;
  siteKey: string;
  identity(): VisitorIdentity | undefined;
  onRequest(request: CobrowseRequest): void;
  /** The site's theme from the welcome ({} when the site has none). */
  onTheme?(theme: SiteTheme): void;
  /** Whether an agent is online: from the welcome, then on every change. */
  onAvailability(agentsOnline: boolean): void;
  /** End-to-end encryption required (data-e2ee): the page's address and title stay in the tab. */
  e2ee?: boolean;
}

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;

/**
 * @example
 *   const presence = openPresence({ server, siteKey, identity: readIdentity, onRequest: ask });
 */
export function openPresence(options: PresenceOptions): PresenceSocket {
  let socket: WebSocket | null = null;
  let ready = false;
  let stopped = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let queue: string[] = [];
  // End-to-end encrypted: the address and title stay in the tab.
  const page = () => (options.e2ee ? { url: location.origin + '/', title: '' } : { url: location.href.slice(0, 4096), title: document.title.slice(0, 1024) });
  let shown = '';
  // Polling is cheaper in the loader's bytes than wrapping history.pushState, and sees title changes too.
  const watch = setInterval(() => {
    const now = page();
    if (!ready || now.url + now.title === shown) return;
    shown = now.url + now.title;
    send({ type: 'visitor_update', page: now });
  }, PAGE_CHECK_MS);

  const send = (message: object): void => {
    const text = json().stringify(message);
    if (ready && socket?.readyState === 1) socket.send(text);
    else queue = [...queue, text].slice(-MAX_QUEUED);
  };

  const connect = (): void => {
    if (stopped) return;
    const ws = new WebSocket(options.server.replace(/^http/, 'ws') + '/ws');
    socket = ws;
    ws.onopen = () => {
      const identity = options.identity();
      const now = page();
      shown = now.url + now.title;
      ws.send(json().stringify({ type: 'visitor_hello', v: PRESENCE_PROTOCOL_VERSION, siteKey: options.siteKey, page: now, ...(identity ? { identity } : {}) }));
    };
    ws.onmessage = (event) => {
      let m: Record<string, unknown>;
      try {
        m = json().parse(String(event.data)) as Record<string, unknown>;
      } catch {
        return;
      }
      // Only `welcome` and `availability` carry it.
      if (typeof m['agentsOnline'] === 'boolean') options.onAvailability(m['agentsOnline']);
      if (m['type'] === 'welcome') {
        ready = true;
        attempt = 0;
        for (const text of queue.splice(0)) ws.send(text);
        const theme = m['theme'];
        options.onTheme?.(theme && typeof theme === 'object' ? (theme as SiteTheme) : {});
      } else if (m['type'] === 'cobrowse_requested' && str(m['requestId']) && typeof m['agentName'] === 'string' && typeof m['company'] === 'string') {
        options.onRequest({ requestId: m['requestId'], agentName: m['agentName'].slice(0, 200), company: m['company'].slice(0, 200) });
      }
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      ready = false;
      if (stopped || (event.code >= 4400 && event.code < 4500 && event.code !== 4429)) return;
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt++);
      timer = setTimeout(connect, delay / 2 + Math.random() * (delay / 2));
    };
  };
  connect();

  return {
    identify: (identity) => send({ type: 'visitor_update', ...(identity ? { identity } : {}) }),
    answer: (requestId, accepted) => send({ type: 'cobrowse_answer', requestId, accepted }),
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(watch);
      socket?.close(1000);
    },
  };
}
