import { useState, type FormEvent } from 'react';
import { logIn, type User } from '../api.ts';
import { t } from '../i18n/index.ts';

const failures = {
  invalid_credentials: t.loginInvalid,
  rate_limited: t.loginRateLimited,
  failed: t.loginFailed,
} as const;

export function LoginPage({ onSignedIn }: { onSignedIn: (user: User) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const result = await logIn(email.trim(), password);
    setBusy(false);
    if (result.ok) onSignedIn(result.user);
    else setError(failures[result.reason]);
  };

  return (
    <div className="login-page">
      <div className="login-brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">{t.productName}</span>
      </div>
      <form className="card login-card" onSubmit={(e) => void submit(e)} noValidate>
        <h1>{t.signInHeading}</h1>
        <p className="muted">{t.signInIntro}</p>
        <label className="field">
          <span className="field-label">{t.emailLabel}</span>
          <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="field">
          <span className="field-label">{t.passwordLabel}</span>
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button-primary button-wide" disabled={busy} aria-busy={busy}>
          {t.signInButton}
        </button>
      </form>
    </div>
  );
}
