/**
 * Remote control on the customer's side: who is in control (as the server says, and as the
 * customer decides locally), the consent prompts, "Take back control" and Esc x3, and the
 * queue of agent actions. An action runs only if its sender is the controller in OUR state,
 * even though the server checked it already, and every action gets a control_result.
 */
import type { ClientMessage, ServerMessageOf } from '@samepage/protocol';
import type { ControlApi, ControlInfo, SamepageEvents } from './api-types.ts';
import { executeAction, type ActionResult, type ExecutorContext } from './control-executor.ts';
import type { Prompt } from './consent-prompt.ts';
import { watchTripleEscape } from './triple-escape.ts';

export interface ControlSessionDeps {
  send(message: ClientMessage): void;
  emit<K extends 'control' | 'control_requested'>(event: K, payload: SamepageEvents[K]): void;
  /** Everything the executor needs but the controller check. */
  context(): Omit<ExecutorContext, 'stillAllowed' | 'defer'>;
  /** Shows the built-in consent prompt; null when the widget is off (the site asks). */
  prompt(participantId: string, name: string): Prompt | null;
  onChange(info: ControlInfo): void;
  report(error: unknown): void;
}

export interface ControlSession {
  api: ControlApi;
  onRequested(message: ServerMessageOf<'control_requested'>): void;
  onState(message: ServerMessageOf<'control_state'>): void;
  onAction(message: ServerMessageOf<'control_action'>): void;
  onParticipantLeft(participantId: string): void;
  /** The session ended: nobody controls, prompts go away. */
  reset(): void;
  stop(): void;
}

/**
 * @example
 *   const control = createControlSession({ send, emit, context, prompt, onChange, report });
 *   control.onState(message); // on control_state
 */
export function createControlSession(deps: ControlSessionDeps): ControlSession {
  let info: ControlInfo = { controllerId: null, pending: [] };
  const names = new Map<string, string>(); // requests waiting for an answer, by participant
  let shown: { participantId: string; prompt: Prompt } | null = null;
  let queue: Promise<void> = Promise.resolve();
  // A control_state sent before the server saw our revoke must not hand control back.
  let revokedId: string | null = null;

  const setInfo = (next: ControlInfo, reason: string): void => {
    info = next;
    deps.onChange(info);
    deps.emit('control', { ...info, pending: [...info.pending], reason });
    showNextPrompt();
  };

  const answer = (participantId: string, allowed: boolean): void => {
    names.delete(participantId);
    if (shown?.participantId === participantId) {
      shown.prompt.dismiss();
      shown = null;
    }
    deps.send({ type: allowed ? 'control_grant' : 'control_deny', participantId });
    showNextPrompt();
  };

  function showNextPrompt(): void {
    if (shown && (!names.has(shown.participantId) || info.controllerId)) {
      shown.prompt.dismiss();
      shown = null;
    }
    if (shown || info.controllerId) return;
    const next = names.entries().next();
    if (next.done) return;
    const [participantId, name] = next.value;
    const prompt = deps.prompt(participantId, name);
    if (!prompt) return;
    shown = { participantId, prompt };
    void prompt.answer.then((allowed) => {
      if (shown?.participantId === participantId) shown = null;
      answer(participantId, allowed);
    });
  }

  const revoke = (): void => {
    if (!info.controllerId) return;
    revokedId = info.controllerId;
    // Locally first: from this instant no queued or running action may act.
    setInfo({ controllerId: null, pending: info.pending }, 'revoked');
    deps.send({ type: 'control_revoke' });
  };
  const stopEscape = watchTripleEscape(revoke);

  const run = async (message: ServerMessageOf<'control_action'>): Promise<ActionResult> => {
    const { participantId } = message;
    const isController = (): boolean => info.controllerId === participantId;
    if (!isController()) return { ok: false, failure: 'not_controller', message: 'You are not in control of this tab.' };
    let deferred: (() => void) | null = null;
    const result = await executeAction(message.action, {
      ...deps.context(),
      stillAllowed: isController,
      defer: (fn) => (deferred = fn),
    });
    if (deferred) setTimeout(deferred, 50); // after the result has been sent
    return result;
  };

  return {
    api: {
      allow: (participantId) => answer(participantId, true),
      deny: (participantId) => answer(participantId, false),
      revoke,
      state: () => ({ ...info, pending: [...info.pending] }),
    },
    onRequested(message) {
      names.set(message.participantId, message.name);
      deps.emit('control_requested', { participantId: message.participantId, name: message.name });
      showNextPrompt();
    },
    onState(message) {
      for (const id of [...names.keys()]) if (!message.pending.includes(id)) names.delete(id);
      if (message.reason === 'granted' || message.controllerId !== revokedId) revokedId = null;
      const controllerId = revokedId && message.controllerId === revokedId ? null : message.controllerId;
      setInfo({ controllerId, pending: [...message.pending] }, message.reason);
    },
    onAction(message) {
      const { participantId, actionId } = message;
      queue = queue.then(async () => {
        let result: ActionResult;
        try {
          result = await run(message);
        } catch (error) {
          deps.report(error);
          result = { ok: false, failure: 'failed', message: 'The action failed on the page.' };
        }
        deps.send({ type: 'control_result', participantId, actionId, ...result });
      });
    },
    onParticipantLeft(participantId) {
      names.delete(participantId);
      if (info.controllerId === participantId) setInfo({ controllerId: null, pending: info.pending.filter((p) => p !== participantId) }, 'left');
      else showNextPrompt();
    },
    reset() {
      names.clear();
      if (info.controllerId || info.pending.length) setInfo({ controllerId: null, pending: [] }, 'reset');
      showNextPrompt();
    },
    stop() {
      stopEscape();
      names.clear();
      shown?.prompt.dismiss();
      shown = null;
    },
  };
}
