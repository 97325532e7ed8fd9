/** "Open a website": a shared browser on the server, streamed as a session (docs/SHARED-BROWSER.md). */
import { useEffect, useId, useState, useSyncExternalStore, type FormEvent } from 'react';
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

interface Tab {
  index: number;
  url: string;
  title: string;
  active: boolean;
}

/** In the session page of a shared browser: the customer's link and the browser's tabs. */
export function SharedBrowserPanel({ sessionId }: { sessionId: string | null }) {
  const info = useSyncExternalStore(openedStore.subscribe, openedStore.get);
  const [tabs, setTabs] = useState<Tab[]>([]);
  const [copied, setCopied] = useState(false);
  const mine = info && info.sessionId === sessionId ? info : null;

  useEffect(() => {
    if (!mine) return;
    let stop = false;
    const poll = () => void call('GET', `/api/shared-browser/${mine.sessionId}/tabs`).then((r) => !stop && r.status === 200 && setTabs(r.body.tabs as Tab[]));
    poll();
    const timer = setInterval(poll, 2000);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [mine]);

  if (!mine) return null;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(mine.customerUrl);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // No clipboard (insecure context): the field stays selectable.
    }
  };
  const switchTo = (index: number) => void call('POST', `/api/shared-browser/${mine.sessionId}/tabs/${index}`).then((r) => r.status === 200 && setTabs(r.body.tabs as Tab[]));
  return (
    <section className="panel invite-panel shared-browser-panel" aria-label="Shared browser">
      <h2 className="panel-title">Invite the customer</h2>
      <p className="muted invite-hint">The customer opens this link to watch the shared browser with you.</p>
      <div className="invite-row">
        <input readOnly aria-label="Customer link" value={mine.customerUrl} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="button button-primary button-small" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      {tabs.length > 0 && (
        <nav aria-label="Shared browser tabs">
          <ul className="shared-browser-tabs" role="list">
            {tabs.map((tab) => (
              <li key={tab.index}>
                <button type="button" className="button button-ghost button-small" aria-current={tab.active ? 'page' : undefined} disabled={tab.active} title={tab.url} onClick={() => switchTo(tab.index)}>
                  {tab.title || tab.url || 'New tab'}
                </button>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </section>
  );
}
