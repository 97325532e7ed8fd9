/**
 * "Invite a friend": asks the server for a view-only link and shows it with a Copy button.
 * Only offered when the site's policy allows guests.
 */
import { button, el, liveRegion } from './widget-dom.ts';

export const INVITE_CSS =
  '.sp-invite{pointer-events:auto;position:fixed;top:64px;left:50%;transform:translateX(-50%);width:min(380px,calc(100vw - 32px));padding:16px;border-radius:16px;background:#fff;color:#0f172a;' +
  'border:1px solid #e2e8f0;box-shadow:0 20px 50px rgba(15,23,42,.22)}' +
  '.sp-invite h2{margin:0 0 4px;font-size:15px;font-weight:650}.sp-invite p{margin:0 0 12px;font-size:13px;color:#475569;line-height:1.45}' +
  '.sp-row{display:flex;gap:8px}.sp-row input{flex:1;min-width:0;padding:8px 10px;border:1px solid #cbd5e1;border-radius:10px;font-size:13px;color:#0f172a;background:#f8fafc}' +
  '.sp-invite .sp-x{position:absolute;top:8px;right:8px}';

/**
 * @example
 *   showInviteCard(panels, () => Samepage.inviteGuest());
 */
export function showInviteCard(container: HTMLElement, create: () => Promise<{ url: string }>): void {
  container.querySelector('.sp-invite')?.remove();
  const card = el('section', 'sp-invite');
  card.setAttribute('aria-label', 'Invite a friend');
  const status = liveRegion(el('p', '', 'Creating a link…'));
  card.append(el('h2', '', 'Invite a friend'), status, button('sp-x', '×', () => card.remove(), 'Close'));
  container.append(card);
  create().then(
    ({ url }) => {
      status.textContent = 'They can watch this tab, but not click or type. The link works once.';
      const input = el('input', '');
      input.readOnly = true;
      input.value = url;
      input.setAttribute('aria-label', 'Invitation link');
      const copy = button('sp-primary', 'Copy', () => {
        const done = (): void => void (copy.textContent = 'Copied');
        input.select();
        navigator.clipboard?.writeText(url).then(done, () => document.execCommand('copy') && done()) ?? (document.execCommand('copy') && done());
      });
      const row = el('div', 'sp-row');
      row.append(input, copy);
      card.append(row);
      copy.focus();
    },
    () => void (status.textContent = 'The link could not be created. Try again later.'),
  );
}
