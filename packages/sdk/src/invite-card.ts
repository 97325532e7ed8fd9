/**
 * "Invite a friend": asks the server for a view-only link and shows it with a Copy button.
 * Only offered when the site's policy allows guests.
 */
import { t } from './text.ts';
import { button, el, liveRegion } from './widget-dom.ts';

export const INVITE_CSS =
  '.sp-invite{pointer-events:auto;position:fixed;top:64px;left:50%;transform:translateX(-50%);width:min(380px,calc(100vw - 32px));padding:16px;border-radius:16px;background:var(--sp-bg);color:var(--sp-fg);' +
  'border:1px solid var(--sp-line);box-shadow:0 20px 50px rgba(15,23,42,.22)}' +
  '.sp-invite h2{margin:0 0 4px;font-size:15px;font-weight:650}.sp-invite p{margin:0 0 12px;font-size:13px;color:var(--sp-muted);line-height:1.45}' +
  '.sp-row{display:flex;gap:8px}.sp-row input{flex:1;min-width:0;padding:8px 10px;border:1px solid var(--sp-field);border-radius:10px;font-size:13px;color:var(--sp-fg);background:var(--sp-soft)}' +
  '.sp-invite .sp-x{position:absolute;top:8px;right:8px}';

/**
 * @example
 *   showInviteCard(panels, () => Samepage.inviteGuest());
 */
export function showInviteCard(container: HTMLElement, create: () => Promise<{ url: string }>): void {
  container.querySelector('.sp-invite')?.remove();
  const card = el('section', 'sp-invite');
  card.setAttribute('aria-label', t('invite'));
  card.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') card.remove();
  });
  const status = liveRegion(el('p', '', t('inviteCreating')));
  card.append(el('h2', '', t('invite')), status, button('sp-x', '×', () => card.remove(), t('close')));
  container.append(card);
  create().then(
    ({ url }) => {
      status.textContent = t('inviteReady');
      const input = el('input', '');
      input.readOnly = true;
      input.value = url;
      input.setAttribute('aria-label', t('inviteLink'));
      const copy = button('sp-primary', t('copy'), () => {
        const done = (): void => void (copy.textContent = t('copied'));
        input.select();
        navigator.clipboard?.writeText(url).then(done, () => document.execCommand('copy') && done()) ?? (document.execCommand('copy') && done());
      });
      const row = el('div', 'sp-row');
      row.append(input, copy);
      card.append(row);
      copy.focus();
    },
    () => void (status.textContent = t('inviteFailed')),
  );
}
