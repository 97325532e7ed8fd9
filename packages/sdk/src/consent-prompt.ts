/**
 * The customer's yes/no dialog, used for control requests and agent-initiated co-browse
 * requests: a real modal (role=dialog, aria-modal, labelled and described), focus moved in and
 * kept in while open and given back afterwards, Esc = the "no" answer. Its keys never reach the
 * page's own shortcuts.
 */

export const PROMPT_CSS =
  '.sp-modal{pointer-events:auto;position:fixed;inset:0;display:flex;align-items:center;justify-content:center;padding:16px;background:rgba(15,23,42,.4);overflow:auto}' +
  '.sp-dialog{width:min(400px,100%);max-height:100%;overflow:auto;padding:22px 22px 18px;border-radius:16px;background:var(--sp-bg);color:var(--sp-fg);border:1px solid var(--sp-line);' +
  'box-shadow:0 24px 60px rgba(15,23,42,.28),0 2px 8px rgba(15,23,42,.08)}' +
  '.sp-dialog:focus{outline:none}.sp-dialog-top{display:flex;align-items:center;justify-content:space-between;margin-bottom:14px}' +
  '.sp-dialog-icon{width:40px;height:40px;border-radius:12px;background:var(--sp-brand);color:var(--sp-on);display:flex;align-items:center;justify-content:center}' +
  '.sp-dialog h2{margin:0 0 6px;font-size:17px;line-height:1.35;font-weight:650}' +
  '.sp-dialog p{margin:0 0 18px;font-size:14px;line-height:1.5;color:var(--sp-muted)}' +
  '.sp-actions{display:flex;justify-content:flex-end;flex-wrap:wrap;gap:8px}' +
  '.sp-primary{pointer-events:auto;cursor:pointer;border:0;border-radius:10px;padding:9px 18px;font-size:14px;font-weight:600;background:var(--sp-brand);color:var(--sp-on)}' +
  '.sp-primary:hover{filter:brightness(.92)}.sp-secondary{pointer-events:auto;cursor:pointer;border:1px solid var(--sp-field);border-radius:10px;padding:9px 18px;font-size:14px;font-weight:600;background:var(--sp-bg);color:var(--sp-fg)}' +
  '.sp-secondary:hover{background:var(--sp-soft)}';

const ICON =
  '<svg width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">' +
  '<path d="M4 4l7 16 2.5-6.5L20 11z"/></svg>';

export interface PromptOptions {
  title: string;
  body: string;
  accept: string;
  decline: string;
  /** The site's logo, shown beside the icon. */
  logo?: HTMLElement | null;
  /** false: do not move focus in (the console's theme preview). */
  focus?: boolean;
}

export interface Prompt {
  /** true = accepted, false = declined (button or Esc). Never settles if dismissed. */
  answer: Promise<boolean>;
  /** Removes the dialog without an answer (the request went away). */
  dismiss(): void;
}

let promptCount = 0;

/** The element that had focus, looking through open shadow roots (ours included). */
function activeElement(): HTMLElement | null {
  let el: Element | null = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLElement ? el : null;
}

/**
 * @example
 *   const p = showPrompt(layer, { title: 'Ann wants to control this tab', body: '…', accept: 'Allow', decline: 'Deny' });
 *   if (await p.answer) grant();
 */
export function showPrompt(container: HTMLElement, options: PromptOptions): Prompt {
  const n = ++promptCount;
  const previous = activeElement();
  const modal = document.createElement('div');
  modal.className = 'sp-modal';
  const dialog = document.createElement('div');
  dialog.className = 'sp-dialog';
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-modal', 'true');
  dialog.setAttribute('aria-labelledby', `sp-dialog-title-${n}`);
  dialog.setAttribute('aria-describedby', `sp-dialog-body-${n}`);
  dialog.tabIndex = -1;
  const icon = document.createElement('div');
  icon.className = 'sp-dialog-icon';
  icon.innerHTML = ICON; // constant markup, no server text
  const title = document.createElement('h2');
  title.id = `sp-dialog-title-${n}`;
  title.textContent = options.title;
  const body = document.createElement('p');
  body.id = `sp-dialog-body-${n}`;
  body.textContent = options.body;
  const actions = document.createElement('div');
  actions.className = 'sp-actions';
  const no = document.createElement('button');
  const yes = document.createElement('button');
  no.type = yes.type = 'button';
  no.className = 'sp-secondary';
  yes.className = 'sp-primary';
  no.textContent = options.decline;
  yes.textContent = options.accept;
  actions.append(no, yes);
  const top = document.createElement('div');
  top.className = 'sp-dialog-top';
  top.append(icon);
  if (options.logo) top.append(options.logo);
  dialog.append(top, title, body, actions);
  modal.append(dialog);

  let settle!: (value: boolean) => void;
  const answer = new Promise<boolean>((resolve) => (settle = resolve));
  let open = true;
  const close = (): void => {
    if (!open) return;
    open = false;
    modal.remove();
    if (previous?.isConnected) previous.focus({ preventScroll: true });
  };
  const reply = (value: boolean): void => {
    if (!open) return;
    close();
    settle(value);
  };
  yes.addEventListener('click', () => reply(true));
  no.addEventListener('click', () => reply(false));
  dialog.addEventListener('keydown', (event) => {
    event.stopPropagation(); // the page's shortcuts must not fire behind a modal
    if (event.key === 'Escape') {
      event.preventDefault();
      reply(false);
    } else if (event.key === 'Tab') {
      // Keep focus in the dialog: two buttons, so Tab and Shift+Tab swap between them.
      event.preventDefault();
      const root = dialog.getRootNode() as ShadowRoot | Document;
      (root.activeElement === yes ? no : yes).focus();
    }
  });
  container.append(modal);
  // The safe answer has focus first: a stray Enter must not hand over the tab.
  if (options.focus !== false) no.focus({ preventScroll: true });
  return { answer, dismiss: close };
}
