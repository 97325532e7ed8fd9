/**
 * A friend's view-only link (/console/watch/:token), without login: ask their name, connect with
 * `guest_hello`, then show the replica and the chat, without tools.
 */
import { useEffect, useMemo, useState, useSyncExternalStore, type FormEvent } from 'react';
import { t } from '../i18n/index.ts';
import { SessionController } from '../session/session-controller.ts';
import { SessionContext } from '../session/use-session.ts';
import { SessionView } from './SessionView.tsx';
import { installReplicaTestHook } from '../replica/test-hook.ts';

export function WatchPage({ token }: { token: string }) {
  const controller = useMemo(() => new SessionController(), []);
  const state = useSyncExternalStore(controller.subscribe, controller.getState);
  const [name, setName] = useState('');
  useEffect(() => installReplicaTestHook(controller), [controller]);
  const busy = state.phase === 'connecting' || state.phase === 'joining';

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    controller.watch(token, name);
  };

  const replica = controller.replica;
  return (
    <SessionContext.Provider value={controller}>
      <div className="shell">
        <header className="topbar">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true" />
            <span className="brand-name">{t.productName}</span>
          </div>
        </header>
        <main className="content">
          {replica && (state.phase === 'live' || state.phase === 'ended') ? (
            <SessionView replica={replica} onLeave={() => controller.leave()} onBack={() => controller.dismiss()} />
          ) : (
            <div className="home">
              <form className="card join-card" aria-labelledby="watch-heading" onSubmit={submit} noValidate>
                <h1 id="watch-heading">{t.watchHeading}</h1>
                <p className="muted">{t.watchIntro}</p>
                <div className="join-row">
                  <label className="field join-field">
                    <span className="field-label">{t.yourName}</span>
                    <input name="name" autoComplete="name" maxLength={80} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
                  </label>
                  <button type="submit" className="button button-primary join-button" disabled={busy} aria-busy={busy}>
                    {t.watch}
                  </button>
                </div>
                {state.joinError && (
                  <p className="form-error" role="alert">
                    {state.joinError}
                  </p>
                )}
              </form>
            </div>
          )}
        </main>
      </div>
    </SessionContext.Provider>
  );
}
