import { t } from '../i18n/index.ts';
import { navigate } from '../router.ts';
import { useSessionController, useSessionState } from '../session/use-session.ts';
import { ReplicaView } from '../replica/replica-view.tsx';
import { StatusPill, describeStatus } from '../components/StatusPill.tsx';
import { ParticipantsList } from '../components/ParticipantsList.tsx';
import { EndedPanel } from '../components/EndedPanel.tsx';
import { useSyncExternalStore } from 'react';

const noSubscribe = () => () => {};

export function SessionPage({ sessionId }: { sessionId: string }) {
  const controller = useSessionController();
  const state = useSessionState();
  const replica = controller.replica;
  const ready = useSyncExternalStore(replica?.subscribe ?? noSubscribe, () => replica?.getOverlay().ready ?? false);

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

  const status = describeStatus(state, ready);
  const leave = () => {
    controller.leave();
    navigate({ name: 'home' });
  };

  return (
    <div className="session">
      <div className="session-bar">
        <div className="session-title">
          <span className="session-label">{t.liveSessionLabel}</span>
          {state.page && (
            <span className="session-page" title={state.page.url}>
              <span className="muted">{t.pageLabel}: </span>
              {state.page.title || state.page.url}
            </span>
          )}
        </div>
        <StatusPill {...status} />
        <button type="button" className="button button-danger" onClick={leave} disabled={state.phase !== 'live'}>
          {t.leave}
        </button>
      </div>
      <div className="session-body">
        <div className="session-main">
          <ReplicaView
            replica={replica}
            greyed={state.phase === 'ended' || state.hostStatus !== 'active'}
            onPointer={(x, y) => controller.sendPointer(x, y)}
          />
          {state.phase === 'ended' && state.ended && <EndedPanel ended={state.ended} onBack={goHome} />}
        </div>
        <aside className="session-side">
          <ParticipantsList participants={state.participants} selfId={state.participantId} />
        </aside>
      </div>
    </div>
  );
}
