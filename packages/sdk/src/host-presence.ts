/**
 * Tells agents whether the customer is here: `host_visibility { visible, idle }`. Hidden when
 * the document is hidden (another tab, minimised); idle after a quiet spell without input
 * (60 s by default). Sent on change, on window blur/focus, and again after each reconnect.
 */
import type { ClientMessage, HostUi } from '@samepage/protocol';

export interface HostPresence {
  /** Sends the current state (after a (re)connect). */
  announce(): void;
  /** Sends the state if it changed (e.g. what the widget shows). */
  update(): void;
  stop(): void;
}

const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'scroll'] as const;

/**
 * @example
 *   const presence = startHostPresence((m) => transport.send(m), 60_000);
 */
export function startHostPresence(send: (message: ClientMessage) => void, idleAfterMs: number, ui: () => HostUi | undefined = () => undefined): HostPresence {
  let lastInput = Date.now();
  let idle = false;
  let lastSent = '';
  let timer: ReturnType<typeof setTimeout> | undefined;

  const announce = (force = false): void => {
    const visible = document.visibilityState !== 'hidden';
    const shown = ui();
    const key = `${visible}:${idle}:${shown?.join()}`;
    if (!force && key === lastSent) return;
    lastSent = key;
    send({ type: 'host_visibility', visible, idle, ...(shown ? { ui: shown } : {}) });
  };

  const arm = (delay: number): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const quiet = Date.now() - lastInput;
      if (quiet < idleAfterMs) return arm(idleAfterMs - quiet);
      idle = true;
      announce();
    }, delay);
  };

  const onInput = (): void => {
    lastInput = Date.now();
    if (!idle) return;
    idle = false;
    announce();
    arm(idleAfterMs);
  };
  const onVisibility = (): void => announce();
  const onFocus = (): void => {
    onInput();
    announce(true);
  };
  const onBlur = (): void => announce(true);

  const opts = { capture: true, passive: true } as const;
  for (const type of INPUT_EVENTS) window.addEventListener(type, onInput, opts);
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('focus', onFocus);
  window.addEventListener('blur', onBlur);
  arm(idleAfterMs);

  return {
    announce: () => announce(true),
    update: () => announce(),
    stop() {
      clearTimeout(timer);
      for (const type of INPUT_EVENTS) window.removeEventListener(type, onInput, opts);
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('focus', onFocus);
      window.removeEventListener('blur', onBlur);
    },
  };
}
