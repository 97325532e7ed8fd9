/**
 * The tenant's recording key for end-to-end encrypted sessions (docs/E2EE.md, "Recordings"), on
 * the Sites page. "Generate a recording key" makes a P-256 key pair in this browser; the admin
 * saves the private key file ("Save the private key file"), and only then is the public half
 * registered (PUT /api/settings/recording-key). The private key never leaves this browser
 * except as the file the admin saves.
 */
import { useEffect, useId, useState } from 'react';
import { fingerprintPublicKey, formatFingerprint, fromBase64Url, generateRecordingKeyPair, type RecordingKeyPair } from '@samepage/protocol';
import { enE2eeRecording as e, fillText } from '../../i18n/en-e2ee-recording.ts';
import { t } from '../../i18n/index.ts';
import { IDLE, StatusLine, type Status } from './admin-ui.tsx';

interface TenantKey {
  publicKey: string;
  createdAt: number;
}

const PATH = '/api/settings/recording-key';
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

async function call(method: 'GET' | 'PUT' | 'DELETE', body?: unknown): Promise<{ ok: true; key: TenantKey | null } | { ok: false; message: string }> {
  try {
    const response = await fetch(PATH, {
      method,
      credentials: 'same-origin',
      headers: method === 'GET' ? {} : { 'content-type': 'application/json', 'x-samepage-csrf': '1' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return { ok: true, key: null };
    const json = (await response.json().catch(() => null)) as { recordingKey?: TenantKey | null; error?: { message?: string } } | null;
    if (!response.ok) return { ok: false, message: json?.error?.message ?? t.admin.requestFailed(response.status) };
    return { ok: true, key: json?.recordingKey ?? null };
  } catch {
    return { ok: false, message: t.admin.networkError };
  }
}

function useFingerprint(publicKey: string | undefined): string {
  const [text, setText] = useState('');
  useEffect(() => {
    const raw = publicKey ? fromBase64Url(publicKey) : null;
    if (!raw) return setText('');
    let live = true;
    void fingerprintPublicKey(raw).then((f) => live && setText(formatFingerprint(f)));
    return () => {
      live = false;
    };
  }, [publicKey]);
  return text;
}

export function RecordingKeyCard() {
  const [key, setKey] = useState<TenantKey | null | undefined>(undefined);
  const [pending, setPending] = useState<(RecordingKeyPair & { href: string; name: string }) | null>(null);
  const [status, setStatus] = useState<Status>(IDLE);
  const headingId = useId();
  const fingerprint = useFingerprint(key?.publicKey);

  useEffect(() => {
    void call('GET').then((r) => (r.ok ? setKey(r.key) : setStatus({ kind: 'error', text: r.message })));
  }, []);
  useEffect(() => () => (pending ? URL.revokeObjectURL(pending.href) : undefined), [pending]);

  const generate = async () => {
    setStatus({ kind: 'busy' });
    const pair = await generateRecordingKeyPair();
    const href = URL.createObjectURL(new Blob([pair.file], { type: 'application/json' }));
    setPending({ ...pair, href, name: `samepage-recording-key-${new Date().toISOString().slice(0, 10)}.json` });
    setStatus(IDLE);
  };

  /** The file was saved: now the public half is registered, and the private half forgotten here. */
  const register = async (publicKey: string) => {
    setStatus({ kind: 'busy' });
    const result = await call('PUT', { publicKey });
    // Let the browser start the download before the link goes.
    setTimeout(() => setPending(null), 0);
    if (!result.ok) return setStatus({ kind: 'error', text: result.message });
    setKey(result.key);
    setStatus({ kind: 'ok', text: e.keySaved });
  };

  const remove = async () => {
    setStatus({ kind: 'busy' });
    const result = await call('DELETE');
    if (!result.ok) return setStatus({ kind: 'error', text: result.message });
    setKey(null);
    setStatus({ kind: 'ok', text: e.keyRemoved });
  };

  return (
    <section className="card admin-card recording-key-card" aria-labelledby={headingId} data-testid="recording-key-card">
      <h2 id={headingId}>{e.keyHeading}</h2>
      <p className="muted">{e.keyIntro}</p>
      {key === null && <p>{e.keyNone}</p>}
      {key && (
        <p data-testid="recording-key-registered" data-public-key={key.publicKey}>
          {fillText('keyRegistered', { date: dateFormat.format(new Date(key.createdAt)), fingerprint })}
        </p>
      )}
      {pending ? (
        <div className="admin-actions">
          <a className="button button-primary" href={pending.href} download={pending.name} onClick={() => void register(pending.publicKey)}>
            {e.keyDownload}
          </a>
          <p className="muted">
            {e.keyGenerated} {key ? e.keyReplaceWarning : ''}
          </p>
        </div>
      ) : (
        key !== undefined && (
          <div className="admin-actions">
            <button type="button" className="button button-secondary" disabled={status.kind === 'busy'} onClick={() => void generate()}>
              {key ? e.keyReplace : e.keyGenerate}
            </button>
            {key && (
              <button type="button" className="button button-danger" disabled={status.kind === 'busy'} onClick={() => void remove()}>
                {e.keyRemove}
              </button>
            )}
          </div>
        )
      )}
      <StatusLine status={status} />
    </section>
  );
}
