/** "Share with a colleague": pick a colleague (or the whole team), add a note, get a console link to send them. */
import { useEffect, useState, type FormEvent } from 'react';
import { createShare, fetchColleagues, type ShareTarget } from '../api-followups.ts';
import { t } from '../i18n/index.ts';

export function ShareButton({ target }: { target: ShareTarget }) {
  const [open, setOpen] = useState(false);
  const [colleagues, setColleagues] = useState<Array<{ id: string; name: string }>>([]);
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [copied, setCopied] = useState(false);
  const id = `share-${target.type}-${target.id}`;

  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    void fetchColleagues().then((r) => !cancelled && r.ok && setColleagues(r.value));
    return () => {
      cancelled = true;
    };
  }, [open]);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    const result = await createShare(target, to || null, note.trim());
    setBusy(false);
    setFailed(!result.ok);
    if (result.ok) setUrl(result.value.url);
  };

  if (!open) {
    return (
      <button type="button" className="button button-ghost button-small" onClick={() => setOpen(true)}>
        {t.inbox.share}
      </button>
    );
  }
  return (
    <section className="share-box" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`} className="panel-heading">
        {t.inbox.shareHeading}
      </h3>
      {url ? (
        <>
          <p className="form-hint" role="status">
            {t.inbox.shareCreated}
          </p>
          <label className="field-label" htmlFor={`${id}-url`}>
            {t.inbox.shareLink}
          </label>
          <div className="share-link">
            <input id={`${id}-url`} readOnly value={url} onFocus={(e) => e.currentTarget.select()} data-testid="share-url" />
            <button
              type="button"
              className="button button-ghost button-small"
              onClick={() => void navigator.clipboard?.writeText(url).then(() => setCopied(true), () => setCopied(false))}
            >
              {copied ? t.inbox.copied : t.inbox.copy}
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={(e) => void submit(e)}>
          <label className="field-label" htmlFor={`${id}-to`}>
            {t.inbox.shareWith}
          </label>
          <select id={`${id}-to`} value={to} onChange={(e) => setTo(e.target.value)}>
            <option value="">{t.inbox.shareAnyone}</option>
            {colleagues.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          <label className="field-label" htmlFor={`${id}-note`}>
            {t.inbox.shareNote}
          </label>
          <textarea id={`${id}-note`} rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
          <button type="submit" className="button button-primary button-small" disabled={busy} aria-busy={busy}>
            {t.inbox.shareCreate}
          </button>
          {failed && (
            <p className="form-error small" role="alert">
              {t.inbox.shareFailed}
            </p>
          )}
        </form>
      )}
    </section>
  );
}
