/**
 * capture.js in "child frame" mode (docs/SECURITY.md, "Framed pages"): this page is a
 * cross-origin frame, and the top page's session said hello (frame-parent.ts). The loader's hook
 * recorded the parent's origin as the browser reported it (MessageEvent.origin) and loaded us.
 *
 * 1. Nothing is recorded before the server confirms that this origin may see the page
 *    (POST /frames/verify, keyed by this page's own site key). A refusal is reported through
 *    onError (`frame_parent_not_allowed`) and kept: this page posts nothing, ever, to that parent.
 * 2. Then rrweb records this page, and every event is redacted here, in this tab, with this
 *    site's rules (plus the tenant's masking rules for the parent, from the server's answer),
 *    before it is posted to the parent, addressed to the confirmed origin only (never '*').
 * 3. A hello from the parent asks for a fresh snapshot; FRAME_STOP stops recording.
 *
 * The page gets no session, widget or control of its own in this mode.
 */
import type { CaptureController, CaptureHost, SamepageError } from './api-types.ts';
import { scrubEvent } from './event-scrubber.ts';
import { FRAME_HELLO, FRAME_MARK, FRAME_STOP, FRAME_VERIFY_PATH } from './frame-messages.ts';
import { createRedactionPolicy, type RedactionPolicy, type RedactionRules } from './redaction.ts';
import { getNodeById, startRecorder, type Recorder } from './recorder.ts';
import type { RecordedEvent } from './rrweb-events.ts';

/** rrweb's own scroll sampling in a frame (the top page's motion capture does not reach in here). */
const FRAME_SCROLL_MS = 100;

/** When the server's answer is unreadable; it normally carries its own error (docs/ERRORS.md). */
const refusal: SamepageError = { code: 'frame_parent_not_allowed', message: 'The framing page may not see this page.' };

/** Whether the parent can read this page itself (same origin): then its recorder already does. */
function parentIsSameOrigin(): boolean {
  try {
    return window.parent.document !== undefined;
  } catch {
    return false;
  }
}

/**
 * @example
 *   // capture.ts: a frame asked to share by its parent
 *   if (host.config.frameParent) return createFrameCapture(host);
 */
export function createFrameCapture(host: CaptureHost): CaptureController {
  const parentOrigin = host.config.frameParent ?? '';
  let verdict: Promise<RedactionPolicy | null> | null = null;
  let recorder: Recorder | null = null;
  let wanted = false;

  const verify = (): Promise<RedactionPolicy | null> =>
    (verdict ??= fetch(host.config.server + FRAME_VERIFY_PATH, {
      method: 'POST',
      credentials: 'omit',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ siteKey: host.config.siteKey, parentOrigin }),
    }).then(
      async (response) => {
        const body = (await response.json().catch(() => null)) as { redaction?: Partial<RedactionRules>; error?: SamepageError } | null;
        if (response.ok && body?.redaction) return createRedactionPolicy(body.redaction);
        host.report(body?.error?.code ? body.error : refusal);
        return null; // kept: the answer does not change while this page lives
      },
      (error: unknown) => {
        verdict = null; // the network failed: the next hello asks again
        host.report(error, 'sdk_connection_lost');
        return null;
      },
    ));

  const post = (event: RecordedEvent): void => {
    window.parent.postMessage({ type: 'rrweb', [FRAME_MARK]: 1, event, origin: location.origin }, parentOrigin);
  };

  const share = async (): Promise<void> => {
    wanted = true;
    if (recorder) return recorder.takeFullSnapshot();
    const policy = await verify();
    if (!policy || recorder || !wanted) return;
    // rrweb emits the first snapshot when its walk ends (snapshot-walk.ts): redacted, then posted, like every event.
    recorder = startRecorder({
      policy,
      canvasFps: host.config.canvasFps,
      sliceSnapshot: true,
      scrollThrottleMs: FRAME_SCROLL_MS,
      onError: (error) => host.report(error),
      emit: (event) => post(scrubEvent(policy, getNodeById, event)),
    });
  };

  const stop = (): void => {
    wanted = false;
    recorder?.stop();
    recorder = null;
  };

  const usable = /^https?:\/\//.test(parentOrigin) && parentOrigin !== location.origin && !parentIsSameOrigin();
  if (usable) {
    addEventListener('message', (event) => {
      if (event.source !== window.parent || event.origin !== parentOrigin) return;
      if (event.data === FRAME_HELLO) share().catch((error: unknown) => host.report(error));
      else if (event.data === FRAME_STOP) stop();
    });
    share().catch((error: unknown) => host.report(error));
  }

  const refuse = (): Promise<never> =>
    Promise.reject<never>({ code: 'sdk_config', message: 'This frame is shared in its parent’s session.' } satisfies SamepageError);
  return {
    start: refuse,
    end: () => Promise.resolve(),
    resume: () => undefined,
    chat: { send: refuse, messages: () => [], setTyping: () => undefined, pending: () => [] },
    control: { allow: () => undefined, deny: () => undefined, revoke: () => undefined, state: () => ({ controllerId: null, pending: [] }) },
    inviteGuest: refuse,
    promptCobrowse: () => Promise.resolve(false),
  };
}
