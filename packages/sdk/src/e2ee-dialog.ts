/**
 * The customer's side of comparing codes (docs/E2EE.md, "Pairing"): the question "Does Ann read
 * you this code: 123 456?" as the widget's accessible modal (consent-prompt.ts), and the notices
 * that follow (a clear warning when the codes did not match). Without the built-in widget the
 * site asks with its own UI (`e2ee_verify` event, `Samepage.confirmAgent`).
 */
import { PROMPT_CSS, showPrompt, type Prompt } from './consent-prompt.ts';
import type { Widget } from './layers.ts';
import { logo, resolveTheme } from './theme.ts';
import type { CaptureHost } from './api-types.ts';
import type { E2eeTextKey } from './i18n/e2ee.ts';

const NOTICE_CSS =
  '.sp-e2ee-notice{pointer-events:auto;position:fixed;left:50%;top:16px;transform:translateX(-50%);max-width:min(440px,calc(100% - 32px));display:flex;gap:12px;align-items:flex-start;' +
  'padding:12px 14px;border-radius:12px;background:var(--sp-bg);color:var(--sp-fg);border:2px solid #15803d;box-shadow:0 12px 32px rgba(15,23,42,.25);font:14px/1.45 system-ui,sans-serif}' +
  '.sp-e2ee-notice.sp-e2ee-bad{border-color:#b91c1c}.sp-e2ee-notice p{margin:0;flex:1}';

/** `123456` → `123 456`, as the agent reads it. */
export function formatCode(code: string): string {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}

export interface E2eeDialogs {
  /** Asks the customer; resolves with the answer, or never when dismissed. Null without the widget. */
  ask(participantId: string, name: string, code: string): Promise<boolean> | null;
  /** Removes an open question (the pairing ended some other way). */
  dismiss(participantId: string): void;
  /** A notice the customer must see; `bad` for the warning. */
  notify(text: string, bad: boolean): void;
  stop(): void;
}

/**
 * @example
 *   const dialogs = createE2eeDialogs(host, widget, t);
 *   const matches = await dialogs.ask(agent.id, agent.name, '042917');
 */
export function createE2eeDialogs(host: CaptureHost, widget: () => Widget | null, t: (key: E2eeTextKey, vars?: Record<string, string>) => string): E2eeDialogs {
  const open = new Map<string, Prompt>();
  let styled = false;
  const layers = (): Widget | null => {
    const w = host.config.widget ? widget() : null;
    if (w && !styled) {
      styled = true;
      w.addStyle(PROMPT_CSS + NOTICE_CSS);
    }
    return w;
  };

  return {
    ask(participantId, name, code) {
      const w = layers();
      if (!w) return null;
      open.get(participantId)?.dismiss();
      const vars = { name, code: formatCode(code) };
      const prompt = showPrompt(w.modals, {
        title: t('e2eeVerifyTitle', vars),
        body: t('e2eeVerifyBody', vars),
        accept: t('e2eeMatch'),
        decline: t('e2eeNoMatch'),
        logo: logo(resolveTheme(host)),
      });
      open.set(participantId, prompt);
      return prompt.answer.finally(() => {
        if (open.get(participantId) === prompt) open.delete(participantId);
      });
    },
    dismiss(participantId) {
      open.get(participantId)?.dismiss();
      open.delete(participantId);
    },
    notify(text, bad) {
      const w = layers();
      if (!w) return;
      w.announcer.textContent = text;
      const box = document.createElement('div');
      box.className = bad ? 'sp-e2ee-notice sp-e2ee-bad' : 'sp-e2ee-notice';
      box.setAttribute('role', bad ? 'alert' : 'status');
      const p = document.createElement('p');
      p.textContent = text;
      const close = document.createElement('button');
      close.type = 'button';
      close.className = 'sp-secondary';
      close.textContent = t('e2eeClose');
      close.addEventListener('click', () => box.remove());
      box.append(p, close);
      w.modals.append(box);
      // A warning stays until closed; good news goes by itself.
      if (!bad) setTimeout(() => box.remove(), 8000);
    },
    stop() {
      for (const prompt of open.values()) prompt.dismiss();
      open.clear();
    },
  };
}
