/**
 * A tiny typed event emitter for `Samepage.on`. A handler that throws must not stop the
 * others nor reach the page's error handler through us, so each call is wrapped.
 */
export type Handler<T> = (payload: T) => void;

export interface Emitter<M> {
  on<K extends keyof M>(event: K, handler: Handler<M[K]>): () => void;
  off<K extends keyof M>(event: K, handler: Handler<M[K]>): void;
  emit<K extends keyof M>(event: K, payload: M[K]): void;
}

/**
 * @example
 *   const events = createEmitter<{ state: string }>((err) => console.warn(err));
 *   const off = events.on('state', (s) => render(s));
 */
export function createEmitter<M>(onHandlerError: (error: unknown) => void): Emitter<M> {
  const handlers = new Map<keyof M, Set<Handler<never>>>();
  const off = <K extends keyof M>(event: K, handler: Handler<M[K]>): void => {
    handlers.get(event)?.delete(handler as Handler<never>);
  };
  return {
    on(event, handler) {
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      set.add(handler as Handler<never>);
      return () => off(event, handler);
    },
    off,
    emit(event, payload) {
      const set = handlers.get(event);
      if (!set) return;
      for (const handler of [...set]) {
        try {
          (handler as Handler<M[typeof event]>)(payload);
        } catch (error) {
          onHandlerError(error);
        }
      }
    },
  };
}
