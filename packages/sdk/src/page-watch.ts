/**
 * Tells agents where the customer is when the address or title changes without a page load: a
 * single-page app's pushState/replaceState, the back button within it, a hash change, a new
 * document.title. A full page load needs nothing here (its host_hello carries the page).
 *
 * Nothing of the page's own is patched: the Navigation API's `currententrychange` (where the
 * browser has it), `popstate`, `hashchange` and a MutationObserver on <head> (titles) trigger a
 * check, and browsers without the Navigation API also check once a second. A check compares two
 * strings and sends `host_page` only when one changed.
 */
import type { ClientMessage } from '@samepage/protocol';

export interface PageInfo {
  url: string;
  title: string;
}

export interface PageWatch {
  stop(): void;
}

/** Calls close together (pushState, then the new title) make one message. */
const SETTLE_MS = 50;
const POLL_MS = 1000;

interface NavigationLike {
  addEventListener(type: 'currententrychange', listener: () => void): void;
  removeEventListener(type: 'currententrychange', listener: () => void): void;
}

/**
 * @example
 *   const watch = startPageWatch((m) => transport.send(m), () => ({ url: location.href, title: document.title }), report);
 *   watch.stop();
 */
export function startPageWatch(send: (message: ClientMessage) => void, read: () => PageInfo, onError: (error: unknown) => void): PageWatch {
  let last = read();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const check = (): void => {
    timer = undefined;
    try {
      const now = read();
      if (now.url === last.url && now.title === last.title) return;
      last = now;
      send({ type: 'host_page', page: now });
    } catch (error) {
      onError(error);
    }
  };
  const soon = (): void => {
    if (timer === undefined) timer = setTimeout(check, SETTLE_MS);
  };

  const navigation = (window as Window & { navigation?: NavigationLike }).navigation;
  navigation?.addEventListener('currententrychange', soon);
  window.addEventListener('popstate', soon);
  window.addEventListener('hashchange', soon);
  const titles = typeof MutationObserver === 'function' && document.head ? new MutationObserver(soon) : null;
  if (titles && document.head) titles.observe(document.head, { childList: true, subtree: true, characterData: true });
  const poll = navigation ? undefined : setInterval(soon, POLL_MS);

  return {
    stop() {
      clearTimeout(timer);
      clearInterval(poll);
      navigation?.removeEventListener('currententrychange', soon);
      window.removeEventListener('popstate', soon);
      window.removeEventListener('hashchange', soon);
      titles?.disconnect();
    },
  };
}
