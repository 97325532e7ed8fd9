/** API tokens for the public API: list, create (the secret is shown once), revoke. Needs users.manage. */
import { useState, type FormEvent } from 'react';
import { adminApi, type ApiToken } from '../../admin/admin-api.ts';
import { t } from '../../i18n/index.ts';
import { AdminPageHeader, CopyButton, IDLE, LoadGate, StatusLine, useLoad, type Status } from './admin-ui.tsx';

const loadTokens = () => adminApi.tokens();
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const titleOf = (permission: string): string => t.admin.permissionNames[permission] ?? permission;

function TokenTable({ tokens, onRevoke, busy }: { tokens: ApiToken[]; onRevoke: (token: ApiToken) => void; busy: boolean }) {
  if (tokens.length === 0) return <p className="muted">{t.tokens.none}</p>;
  return (
    <div className="table-wrap">
      <table className="admin-table">
        <thead>
          <tr>
            <th scope="col">{t.tokens.colName}</th>
            <th scope="col">{t.tokens.colPermissions}</th>
            <th scope="col">{t.tokens.colCreated}</th>
            <th scope="col">{t.tokens.colLastUsed}</th>
            <th scope="col">
              <span className="sr-only">{t.admin.colActions}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => (
            <tr key={token.id}>
              <th scope="row" className="cell-name">
                {token.name}
              </th>
              <td>{token.permissions.map(titleOf).join(', ')}</td>
              <td>{dateTime.format(new Date(token.createdAt))}</td>
              <td>{token.lastUsedAt === null ? t.tokens.never : dateTime.format(new Date(token.lastUsedAt))}</td>
              <td className="cell-actions">
                {token.revokedAt === null ? (
                  <button type="button" className="button button-danger button-small" aria-label={t.tokens.revokeLabel(token.name)} disabled={busy} onClick={() => onRevoke(token)}>
                    {t.tokens.revoke}
                  </button>
                ) : (
                  <span className="badge badge-muted">{t.tokens.revoked}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NewTokenForm({ permissions, onCreated }: { permissions: readonly string[]; onCreated: (token: ApiToken, secret: string) => void }) {
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [status, setStatus] = useState<Status>(IDLE);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!name.trim()) return setStatus({ kind: 'error', text: t.tokens.nameMissing });
    if (chosen.length === 0) return setStatus({ kind: 'error', text: t.tokens.permissionsMissing });
    setStatus({ kind: 'busy' });
    const result = await adminApi.createToken({ name: name.trim(), permissions: chosen });
    if (!result.ok) return setStatus({ kind: 'error', text: result.message });
    setStatus(IDLE);
    setName('');
    setChosen([]);
    onCreated(result.value.record, result.value.token);
  };
  const toggle = (permission: string, on: boolean) => setChosen((list) => (on ? [...list, permission] : list.filter((p) => p !== permission)));
  return (
    <form className="card admin-card" aria-labelledby="new-token-heading" onSubmit={(e) => void submit(e)} noValidate>
      <AdminPageHeader id="new-token-heading" level={2} title={t.tokens.newHeading} />
      <label className="field">
        <span className="field-label">{t.tokens.nameLabel}</span>
        <input value={name} maxLength={100} aria-describedby="token-name-hint" onChange={(e) => setName(e.target.value)} />
        <span className="form-hint" id="token-name-hint">
          {t.tokens.nameHint}
        </span>
      </label>
      <fieldset className="field token-permissions">
        <legend className="field-label">{t.tokens.permissionsLabel}</legend>
        {permissions.map((permission) => (
          <label key={permission} className="check-row">
            <input type="checkbox" checked={chosen.includes(permission)} onChange={(e) => toggle(permission, e.target.checked)} />
            <span>{titleOf(permission)}</span>
          </label>
        ))}
      </fieldset>
      <div className="admin-actions">
        <button type="submit" className="button button-primary" disabled={status.kind === 'busy'}>
          {t.tokens.create}
        </button>
        <StatusLine status={status} />
      </div>
    </form>
  );
}

export function TokensPage({ permissions }: { permissions: readonly string[] }) {
  const [tokens, reload] = useLoad(loadTokens);
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const [status, setStatus] = useState<Status>(IDLE);
  // Only what this admin holds: the server refuses a token with more.
  const grantable = Object.keys(t.admin.permissionNames).filter((p) => permissions.includes(p));

  const revoke = async (token: ApiToken) => {
    setStatus({ kind: 'busy' });
    const result = await adminApi.revokeToken(token.id);
    setStatus(result.ok ? { kind: 'ok', text: t.tokens.revokedDone(token.name) } : { kind: 'error', text: result.message });
    reload();
  };

  return (
    <>
      <AdminPageHeader title={t.tokens.heading} intro={t.tokens.intro} />
      {secret && (
        <section className="card admin-card token-secret" aria-labelledby="token-secret-label">
          <label className="field">
            <span className="field-label" id="token-secret-label">
              {t.tokens.secretLabel}: {secret.name}
            </span>
            <span className="copy-row">
              <input readOnly value={secret.value} aria-labelledby="token-secret-label" aria-describedby="token-secret-hint" onFocus={(e) => e.target.select()} />
              <CopyButton text={secret.value} label={t.tokens.copySecret} />
            </span>
            <span className="form-hint" id="token-secret-hint">
              {t.tokens.secretHint}
            </span>
          </label>
        </section>
      )}
      <section className="card admin-card" aria-labelledby="tokens-heading">
        <AdminPageHeader id="tokens-heading" level={2} title={t.tokens.listHeading} />
        <StatusLine status={status} />
        <LoadGate data={tokens}>{(list) => <TokenTable tokens={list} busy={status.kind === 'busy'} onRevoke={(token) => void revoke(token)} />}</LoadGate>
      </section>
      <NewTokenForm
        permissions={grantable}
        onCreated={(token, value) => {
          setSecret({ name: token.name, value });
          reload();
        }}
      />
    </>
  );
}
