/** "Invite a colleague": a fresh single-use code, shown as a link to copy. */
import { useState } from 'react';
import { t } from '../i18n/index.ts';

export function InvitePanel({ invite, onCreate }: { invite: { code: string } | null; onCreate: () => void }) {
  const [copied, setCopied] = useState(false);
  const link = invite ? `${window.location.origin}/console/join/${invite.code}` : '';
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // No clipboard access (insecure context): the field stays selectable.
    }
  };
  return (
    <section className="panel invite-panel" aria-label={t.inviteColleague}>
      <button type="button" className="button button-ghost button-small button-block" onClick={onCreate}>
        {t.inviteColleague}
      </button>
      {invite && (
        <div className="invite-result">
          <p className="muted invite-hint">{t.inviteHint}</p>
          <div className="invite-row">
            <input readOnly aria-label={t.inviteLinkLabel} value={link} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" className="button button-primary button-small" onClick={() => void copy()}>
              {copied ? t.copied : t.copyLink}
            </button>
          </div>
          <p className="invite-code" data-testid="invite-code">
            {t.inviteCode(invite.code)}
          </p>
        </div>
      )}
    </section>
  );
}
