import { createContext, useContext, useMemo, useSyncExternalStore } from 'react';
import type { SessionController, SessionState } from './session-controller.ts';
import { toolsFor, type Tools } from './permissions.ts';
import type { Store } from './store.ts';

export const SessionContext = createContext<SessionController | null>(null);

export function useSessionController(): SessionController {
  const controller = useContext(SessionContext);
  if (!controller) throw new Error('SessionContext is missing');
  return controller;
}

export function useSessionState(): SessionState {
  const controller = useSessionController();
  return useSyncExternalStore(controller.subscribe, controller.getState);
}

/** What this console may show, from its permissions and the site's policy. */
export function useTools(): Tools {
  const { viewer, policy, sharedBrowser } = useSessionState();
  const shared = sharedBrowser !== null;
  return useMemo(() => toolsFor(viewer, policy, shared), [viewer, policy, shared]);
}

export function useStore<T>(store: Store<T>): T {
  return useSyncExternalStore(store.subscribe, store.get);
}
