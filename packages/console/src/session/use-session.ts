import { createContext, useContext, useSyncExternalStore } from 'react';
import type { SessionController, SessionState } from './session-controller.ts';

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
