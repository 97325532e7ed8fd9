/**
 * capture.js's only part of end-to-end encryption: knows whether this tab's session is
 * encrypted, keeps the page's address out of the clear then, loads e2ee.js (sites without
 * encryption never download it), and puts it between the session and the socket: DOM frames
 * are sealed instead of sent, chat and control results go encrypted, binary frames from the
 * relay go to it. Until e2ee.js is here nothing is sent in the clear: DOM frames wait (the
 * pipeline takes a keyframe once the first epoch exists) and chat waits in a small queue.
 */
import type { ClientMessage, ServerMessage } from '@samepage/protocol';
import type { CaptureHost } from './api-types.ts';
import type { E2eeChannel, E2eeContext, E2eeFactory } from './e2ee-types.ts';
import type { FrameSink } from './frame-writer.ts';

const E2EE_PATH = '/sdk/e2ee.js';
/** The tab's session is encrypted: kept so a page load's first hello already hides the address. */
const FLAG_KEY = 'samepage:e2ee';
const MAX_HELD = 200;

export interface E2eeHook {
  /** True when this tab's session is (or must be) end-to-end encrypted. */
  on(): boolean;
  /** The page as the hello may tell the server. */
  page(): { url: string; title: string };
  /** The welcome's policy. False: the tab requires encryption (data-e2ee) and the server does not offer it. */
  welcome(e2ee: boolean): boolean;
  /** A session exists (created or resumed): loads e2ee.js and starts it. */
  start(context: Pick<E2eeContext, 'sessionId' | 'serverEpoch' | 'sendBinary' | 'send' | 'takeKeyframe' | 'participants'>): void;
  sink(inner: FrameSink): FrameSink;
  receive(frame: Uint8Array): void;
  observe(message: ServerMessage): void;
  /** True when the message must not go in the clear (it went encrypted, or waits). */
  intercept(message: ClientMessage): boolean;
  confirmAgent(participantId: string, matches: boolean): void;
  stop(ended: boolean): void;
}

function readFlag(): boolean {
  try {
    return sessionStorage.getItem(FLAG_KEY) === '1';
  } catch {
    return false;
  }
}

function writeFlag(on: boolean): void {
  try {
    if (on) sessionStorage.setItem(FLAG_KEY, '1');
    else sessionStorage.removeItem(FLAG_KEY);
  } catch {
    // Storage disabled.
  }
}

/**
 * @example
 *   const e2ee = createE2eeHook(host, { deliver: (m) => collab.handle(m), widget: ensureUi });
 *   if (!e2ee.welcome(welcome.policy?.e2ee === true)) return finish('system', 'e2ee_required');
 */
export function createE2eeHook(host: CaptureHost, deps: Pick<E2eeContext, 'deliver' | 'widget'>): E2eeHook {
  let wanted = host.config.e2ee === true || readFlag();
  let channel: E2eeChannel | null = null;
  let generation = 0;
  let held: ClientMessage[] = [];
  let inbound: Uint8Array[] = [];

  const hook: E2eeHook = {
    on: () => wanted,
    page: () => (wanted ? { url: location.origin + '/', title: '' } : { url: location.href.slice(0, 4096), title: document.title.slice(0, 1024) }),
    welcome(e2ee) {
      if (!e2ee && host.config.e2ee) return false;
      wanted = e2ee;
      writeFlag(e2ee);
      return true;
    },
    start(context) {
      if (!wanted || channel) return;
      const mine = ++generation;
      host
        .loadBundle(E2EE_PATH)
        .then((factory) => {
          if (mine !== generation) return;
          channel = (factory as E2eeFactory)({ ...context, ...deps, host });
          for (const message of held.splice(0)) channel.intercept(message);
          for (const frame of inbound.splice(0)) channel.receive(frame);
        })
        .catch((error: unknown) => host.report(error));
    },
    sink: (inner) => ({
      canSend: () => inner.canSend() && (!wanted || channel?.ready() === true),
      bufferedAmount: () => inner.bufferedAmount() + (channel?.pendingBytes() ?? 0),
      send: (frame) => (wanted ? channel?.sealDom(frame) : inner.send(frame)),
    }),
    receive(frame) {
      if (channel) channel.receive(frame);
      else if (wanted && inbound.length < MAX_HELD) inbound.push(frame);
    },
    observe: (message) => channel?.observe(message),
    intercept(message) {
      if (!wanted) return false;
      if (channel) return channel.intercept(message);
      // Grants go on in the clear (the relay polices control by them) and are noted for e2ee.js.
      if (held.length < MAX_HELD) held.push(message);
      return message.type === 'chat_send' || message.type === 'control_result';
    },
    confirmAgent: (participantId, matches) => channel?.confirmAgent(participantId, matches),
    stop(ended) {
      generation += 1;
      channel?.stop(ended);
      channel = null;
      held = [];
      inbound = [];
      if (ended) {
        writeFlag(false);
        wanted = host.config.e2ee === true;
      }
    },
  };
  return hook;
}
