/** A tiny history router for the console's few screens, all under `/console/`. */
import { useSyncExternalStore } from 'react';
import type { AdminPage } from './admin/admin-model.ts';

export const BASE = '/console';

export type Route =
  | { name: 'login' }
  | { name: 'home' }
  | { name: 'join'; code: string }
  | { name: 'session'; sessionId: string }
  /** A past session: its chat transcript and notes. */
  | { name: 'session_detail'; sessionId: string }
  /** A session's recording (needs recordings.view). */
  | { name: 'recording'; sessionId: string }
  /** "Leave a message": the inbox, one message (needs messages.view), and a colleague's share link. */
  | { name: 'inbox' }
  | { name: 'message'; messageId: string }
  | { name: 'shared'; shareId: string }
  /** A friend's view-only link; works without logging in. */
  | { name: 'watch'; token: string }
  /** The admin pages (each behind its permission; see admin/admin-model.ts). */
  | { name: AdminPage }
  | { name: 'not_found' };

const ADMIN_PATHS: Record<AdminPage, string> = {
  admin_users: '/admin/users',
  admin_sites: '/admin/sites',
  admin_usage: '/admin/usage',
  admin_audit: '/admin/audit',
  admin_settings: '/admin/settings',
  admin_tokens: '/admin/tokens',
};

/** Reads a route from a pathname (with or without the /console base). */
export function parseRoute(pathname: string): Route {
  const path = (pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname).replace(/\/+$/, '');
  if (path === '' || path === '/index.html') return { name: 'home' };
  if (path === '/login') return { name: 'login' };
  for (const [name, adminPath] of Object.entries(ADMIN_PATHS)) if (path === adminPath) return { name: name as AdminPage };
  const join = /^\/join\/([^/]+)$/.exec(path);
  if (join?.[1]) return { name: 'join', code: decodeURIComponent(join[1]) };
  const session = /^\/session\/([^/]+)$/.exec(path);
  if (session?.[1]) return { name: 'session', sessionId: decodeURIComponent(session[1]) };
  const detail = /^\/sessions\/([^/]+)$/.exec(path);
  if (detail?.[1]) return { name: 'session_detail', sessionId: decodeURIComponent(detail[1]) };
  const recording = /^\/recordings\/([^/]+)$/.exec(path);
  if (recording?.[1]) return { name: 'recording', sessionId: decodeURIComponent(recording[1]) };
  if (path === '/inbox') return { name: 'inbox' };
  const message = /^\/messages\/([^/]+)$/.exec(path);
  if (message?.[1]) return { name: 'message', messageId: decodeURIComponent(message[1]) };
  const shared = /^\/shared\/([^/]+)$/.exec(path);
  if (shared?.[1]) return { name: 'shared', shareId: decodeURIComponent(shared[1]) };
  const watch = /^\/watch\/([^/]+)$/.exec(path);
  if (watch?.[1]) return { name: 'watch', token: decodeURIComponent(watch[1]) };
  return { name: 'not_found' };
}

export function routePath(route: Route): string {
  switch (route.name) {
    case 'login':
      return `${BASE}/login`;
    case 'join':
      return `${BASE}/join/${encodeURIComponent(route.code)}`;
    case 'session':
      return `${BASE}/session/${encodeURIComponent(route.sessionId)}`;
    case 'session_detail':
      return `${BASE}/sessions/${encodeURIComponent(route.sessionId)}`;
    case 'recording':
      return `${BASE}/recordings/${encodeURIComponent(route.sessionId)}`;
    case 'watch':
      return `${BASE}/watch/${encodeURIComponent(route.token)}`;
    case 'inbox':
      return `${BASE}/inbox`;
    case 'message':
      return `${BASE}/messages/${encodeURIComponent(route.messageId)}`;
    case 'shared':
      return `${BASE}/shared/${encodeURIComponent(route.shareId)}`;
    case 'admin_users':
    case 'admin_sites':
    case 'admin_usage':
    case 'admin_audit':
    case 'admin_settings':
    case 'admin_tokens':
      return `${BASE}${ADMIN_PATHS[route.name]}`;
    default:
      return `${BASE}/`;
  }
}

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const path = routePath(route);
  if (path !== window.location.pathname) {
    if (options.replace) window.history.replaceState(null, '', path);
    else window.history.pushState(null, '', path);
  }
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const pathname = useSyncExternalStore(subscribe, () => window.location.pathname);
  return parseRoute(pathname);
}
