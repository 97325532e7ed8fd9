/** "Open a website": a shared browser on the server, streamed as a session (docs/SHARED-BROWSER.md). */
import { useEffect, useId, useState, useSyncExternalStore, type FormEvent } from 'react';
import type { BrowserTab } from '@samepage/protocol';
import { enSharedBrowser as s } from '../i18n/en-shared-browser.ts';
import { useSessionController, useSessionState } from '../session/use-session.ts';

const headers = { 'content-type': 'application/json', 'x-samepage-csrf': '1' };

export interface OpenedBrowser {
  sessionId: string;
  code: string;
  customerUrl: string;
}

/** The shared browser this console opened last, for the session page's panel. */
let opened: OpenedBrowser | null = null;
const listeners = new Set<() => void>();
const openedStore = {
  get: () => opened,
  set(value: OpenedBrowser | null) {
    opened = value;
    for (const l of listeners) l();
  },
  subscribe(l: () => void) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

function useCanOpen(): boolean {
  const { viewer } = useSessionState();
  return viewer.kind === 'agent' && viewer.permissions.includes('session.open_url');
}

export function OpenUrlPanel({ onJoinStart }: { onJoinStart: () => void }) {
  const controller = useSessionController();
  const canOpen = useCanOpen();
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const errorId = useId();

  useEffect(() => {
    if (!canOpen) return;
    void call('GET', '/api/shared-browser').then((r) => setUnavailable(r.body?.available === false ? (r.body.reason as string) : null));
  }, [canOpen]);

  if (!canOpen) return null;
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await call('POST', '/api/shared-browser', { url });
      if (r.status !== 201) return setError((r.body?.error?.message as string | undefined) ?? 'The website could not be opened.');
      openedStore.set({ sessionId: r.body.sessionId, code: r.body.code, customerUrl: r.body.customerUrl });
      onJoinStart();
      controller.join(r.body.code as string);
    } catch {
      setError('The server could not be reached.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card join-card open-url-card" aria-labelledby="open-url-heading" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="open-url-heading">Open a website</h2>
      <p className="muted">Opens the address in a browser on the server that you and the customer share.</p>
      {unavailable && (
        <p className="form-error" role="alert">
          {unavailable}
        </p>
      )}
      <div className="join-row">
        <label className="field join-field">
          <span className="field-label">Website address</span>
          <input name="url" type="url" inputMode="url" autoComplete="off" placeholder="https://example.com" value={url} aria-invalid={error ? true : undefined} aria-describedby={error ? errorId : undefined} onChange={(e) => setUrl(e.target.value)} />
        </label>
        <button type="submit" className="button button-primary join-button" disabled={busy || !url.trim() || unavailable !== null} aria-busy={busy}>
          Open
        </button>
      </div>
      <p className="form-hint" aria-live="polite">
        {busy ? 'Starting the shared browser…' : ''}
      </p>
      {error && (
        <p id={errorId} className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

interface PanelProps {
  sessionId: string | null;
  /** The shared browser's tabs (from the socket), or null when this session is not a shared browser. */
  tabs: readonly BrowserTab[] | null;
  /** Whoever is in control switches tabs (a control action). */
  canSwitch: boolean;
  onSelect: (index: number) => void;
}

/** In the session page of a shared browser: the customer's link (for the agent who opened it) and the tabs (for everyone). */
export function SharedBrowserPanel({ sessionId, tabs, canSwitch, onSelect }: PanelProps) {
  const info = useSyncExternalStore(openedStore.subscribe, openedStore.get);
  const [copied, setCopied] = useState(false);
  const mine = info && info.sessionId === sessionId ? info : null;
  if (!mine && !tabs) return null;
  const copy = async () => {
    if (!mine) return;
    try {
      await navigator.clipboard.writeText(mine.customerUrl);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // No clipboard (insecure context): the field stays selectable.
    }
  };
  return (
    <section className="panel invite-panel shared-browser-panel" aria-label="Shared browser">
      {mine && (
        <>
          <h2 className="panel-title">Invite the customer</h2>
          <p className="muted invite-hint">The customer opens this link to see the shared browser with you, and can drive it when you give them control.</p>
          <div className="invite-row">
            <input readOnly aria-label="Customer link" value={mine.customerUrl} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" className="button button-primary button-small" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
        </>
      )}
      {tabs && tabs.length > 0 && (
        <nav aria-label={s.tabsLabel}>
          <h2 className="panel-heading">{s.tabsHeading}</h2>
          <ul className="shared-browser-tabs" role="list">
            {tabs.map((tab) => (
              <li key={tab.index}>
                <button type="button" className="button button-ghost button-small" aria-current={tab.active ? 'page' : undefined} disabled={tab.active || !canSwitch} title={tab.url} onClick={() => onSelect(tab.index)}>
                  {tab.title || tab.url || s.newTab}
                </button>
              </li>
            ))}
          </ul>
          {!canSwitch && tabs.length > 1 && <p className="muted form-hint">{s.tabsNeedControl}</p>}
        </nav>
      )}
    </section>
  );
}
