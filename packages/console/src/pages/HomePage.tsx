import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { t } from '../i18n/index.ts';
import { navigate } from '../router.ts';
import { useSessionController, useSessionState, useTools } from '../session/use-session.ts';
import { VisitorsPanel } from '../components/VisitorsPanel.tsx';
import { LiveSessionsPanel, PastSessionsPanel } from '../components/SessionLists.tsx';
import { RecordingsPanel } from '../components/RecordingsPanel.tsx';
import { OpenUrlPanel } from './OpenUrlPanel.tsx';

export function HomePage({ autoJoinCode, onJoinStart, canViewRecordings = false }: { autoJoinCode: string | null; onJoinStart: () => void; canViewRecordings?: boolean }) {
  const controller = useSessionController();
  const state = useSessionState();
  const [code, setCode] = useState(autoJoinCode ?? '');
  const autoJoined = useRef<string | null>(null);
  const errorId = useId();
  const tools = useTools();
  const busy = state.phase === 'connecting' || state.phase === 'joining';

  // The live lists (visitors) and the agent's permissions come over the socket.
  useEffect(() => controller.ensureConnected(), [controller]);

  useEffect(() => {
    if (autoJoinCode && autoJoined.current !== autoJoinCode) {
      autoJoined.current = autoJoinCode;
      setCode(autoJoinCode);
      onJoinStart();
      controller.join(autoJoinCode);
    }
  }, [autoJoinCode, controller, onJoinStart]);

  useEffect(() => {
    if (state.phase === 'live' && state.sessionId) navigate({ name: 'session', sessionId: state.sessionId }, { replace: autoJoinCode !== null });
  }, [state.phase, state.sessionId, autoJoinCode]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onJoinStart();
    controller.join(code);
  };

  return (
    <div className="home home-grid">
      <div className="home-column">
      <form className="card join-card" aria-labelledby="join-heading" onSubmit={submit} noValidate>
        <h1 id="join-heading">{t.joinHeading}</h1>
        <p className="muted">{t.joinIntro}</p>
        <div className="join-row">
          <label className="field join-field">
            <span className="field-label">{t.codeLabel}</span>
            <input
              className="code-input"
              name="code"
              inputMode="numeric"
              autoComplete="off"
              placeholder={t.codePlaceholder}
              maxLength={16}
              value={code}
              aria-invalid={state.joinError ? true : undefined}
              aria-describedby={state.joinError ? errorId : undefined}
              onChange={(e) => setCode(e.target.value)}
              autoFocus
            />
          </label>
          <button type="submit" className="button button-primary join-button" disabled={busy} aria-busy={busy}>
            {t.joinButton}
          </button>
        </div>
        <p className="form-hint" aria-live="polite">
          {busy ? t.joining : ''}
        </p>
        {state.joinError && (
          <p id={errorId} className="form-error" role="alert">
            {state.joinError}
          </p>
        )}
      </form>
      <OpenUrlPanel onJoinStart={onJoinStart} />
      {tools.visitors && <VisitorsPanel />}
      </div>
      <div className="home-column">
        {tools.joinAny && (
          <LiveSessionsPanel
            busy={busy}
            onJoin={(sessionId) => {
              onJoinStart();
              controller.joinSession(sessionId);
            }}
          />
        )}
        <PastSessionsPanel />
        {canViewRecordings && <RecordingsPanel />}
      </div>
    </div>
  );
}
