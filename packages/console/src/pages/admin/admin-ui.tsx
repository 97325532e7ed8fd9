/** Small pieces shared by the admin pages: page header, status line, copy button, data loading. */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { Result } from '../../admin/admin-api.ts';
import { t } from '../../i18n/index.ts';

export function AdminPageHeader({ id, title, intro, level = 1, children }: { id?: string; title: string; intro?: string; level?: 1 | 2; children?: ReactNode }) {
  const Heading = level === 1 ? 'h1' : 'h2';
  return (
    <header className="admin-header">
      <div>
        <Heading id={id}>{title}</Heading>
        {intro && <p className="muted">{intro}</p>}
      </div>
      {children && <div className="admin-header-actions">{children}</div>}
    </header>
  );
}

export type Status = { kind: 'idle' } | { kind: 'busy' } | { kind: 'ok'; text: string } | { kind: 'error'; text: string; title?: string };

export const IDLE: Status = { kind: 'idle' };

/** The outcome of the last action: a polite status, or an alert for errors. */
export function StatusLine({ status }: { status: Status }) {
  if (status.kind === 'error') {
    return (
      <div className="admin-error" role="alert">
        {status.title && <strong>{status.title}. </strong>}
        {status.text}
      </div>
    );
  }
  return (
    <p className="admin-status" role="status">
      {status.kind === 'busy' ? t.admin.saving : status.kind === 'ok' ? status.text : ''}
    </p>
  );
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <button type="button" className="button button-ghost button-small" aria-label={label} onClick={() => void copy()}>
      {copied ? t.admin.copied : t.admin.copy}
    </button>
  );
}

export type Loaded<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; value: T };

/** Loads once (and again on `reload()`); keeps the last value while reloading. */
export function useLoad<T>(load: () => Promise<Result<T>>): [Loaded<T>, () => void, (value: T) => void] {
  const [data, setData] = useState<Loaded<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let cancelled = false;
    void load().then((result) => {
      if (cancelled) return;
      setData(result.ok ? { state: 'ready', value: result.value } : { state: 'error', message: result.message });
    });
    return () => {
      cancelled = true;
    };
    // `load` is read once per generation on purpose (call sites pass module-level functions).
  }, [generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const set = useCallback((value: T) => setData({ state: 'ready', value }), []);
  return [data, reload, set];
}

/** Renders a load state: loading text, the server's error, or the children. */
export function LoadGate<T>({ data, children }: { data: Loaded<T>; children: (value: T) => ReactNode }) {
  if (data.state === 'loading') return <p className="muted" role="status">{t.admin.loadingList}</p>;
  if (data.state === 'error') return <p className="admin-error" role="alert">{data.message}</p>;
  return <>{children(data.value)}</>;
}
