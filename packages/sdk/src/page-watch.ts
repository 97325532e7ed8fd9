/**
 * Tells agents where the customer is when the address or title changes without a page load: a
 * single-page app's pushState/replaceState, the back button within it, a hash change, a new
 * document.title. A full page load needs nothing here (its host_hello carries the page).
 *
 * Nothing of the page's own is patched: the Navigation API's `currententrychange` (where the
 * browser has it), `popstate` and `hashchange` trigger a check at once, and a check runs once a
 * second anyway (pushState where there is no Navigation API, and titles). A check compares two
 * strings and sends `host_page` only when one changed.
 */
import type { ClientMessage } from '@samepage/protocol';

export interface PageInfo {
  url: string;
  title: string;
}

const POLL_MS = 1000;
const EVENTS = ['popstate', 'hashchange'] as const;

type NavigationLike = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

/**
 * @example
 *   const stop = startPageWatch((m) => transport.send(m), () => ({ url: location.href, title: document.title }));
 *   stop();
 */
export function startPageWatch(send: (message: ClientMessage) => void, read: () => PageInfo): () => void {
  let last = read();
  const check = (): void => {
    const now = read();
    if (now.url === last.url && now.title === last.title) return;
    last = now;
    send({ type: 'host_page', page: now });
  };
  const navigation = (window as Window & { navigation?: NavigationLike }).navigation;
  navigation?.addEventListener('currententrychange', check);
  for (const type of EVENTS) window.addEventListener(type, check);
  const poll = setInterval(check, POLL_MS);
  return () => {
    clearInterval(poll);
    navigation?.removeEventListener('currententrychange', check);
    for (const type of EVENTS) window.removeEventListener(type, check);
  };
}
