/** Navigation of the customer's tab while in control: a URL, back, forward, reload. */
import { useState, type FormEvent } from 'react';
import type { ControlAction } from '@samepage/protocol';
import { t } from '../i18n/index.ts';

export function NavigationBar({ currentUrl, onAction }: { currentUrl: string; onAction: (action: ControlAction) => void }) {
  const [url, setUrl] = useState(currentUrl);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const to = url.trim();
    if (to) onAction({ kind: 'navigate', to: 'url', url: to });
  };
  return (
    <form className="nav-bar" aria-label={t.navigationLabel} onSubmit={submit}>
      <button type="button" className="icon-button" aria-label={t.back} title={t.back} onClick={() => onAction({ kind: 'navigate', to: 'back' })}>
        ←
      </button>
      <button type="button" className="icon-button" aria-label={t.forward} title={t.forward} onClick={() => onAction({ kind: 'navigate', to: 'forward' })}>
        →
      </button>
      <button type="button" className="icon-button" aria-label={t.reload} title={t.reload} onClick={() => onAction({ kind: 'navigate', to: 'reload' })}>
        ↻
      </button>
      <input className="nav-url" type="url" aria-label={t.goToUrl} placeholder={t.goToUrl} value={url} onChange={(e) => setUrl(e.target.value)} />
      <button type="submit" className="button button-ghost button-small">
        {t.go}
      </button>
    </form>
  );
}
