import { t } from '../i18n/index.ts';
import { navigate } from '../router.ts';
import { useSessionController, useSessionState } from '../session/use-session.ts';
import { SessionView } from './SessionView.tsx';

export function SessionPage({ sessionId }: { sessionId: string }) {
  const controller = useSessionController();
  const state = useSessionState();
  const replica = controller.replica;

  const goHome = () => {
    controller.dismiss();
    navigate({ name: 'home' });
  };

  if (!replica || state.sessionId !== sessionId || (state.phase !== 'live' && state.phase !== 'ended')) {
    return (
      <div className="home">
        <div className="card" role="status">
          <h1>{t.sessionGone}</h1>
          <button type="button" className="button button-primary" onClick={goHome}>
            {t.backHome}
          </button>
        </div>
      </div>
    );
  }

  const leave = () => {
    controller.leave();
    navigate({ name: 'home' });
  };
  return <SessionView replica={replica} onLeave={leave} onBack={goHome} />;
}
