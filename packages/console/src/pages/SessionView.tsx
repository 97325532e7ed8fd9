/**
 * The live session screen, shared by agents (/console/session/:id) and guests (/console/watch/:token):
 * the replica with its tools, the participants, chat, invite and notes. Each tool shows only when
 * the viewer's permissions allow it.
 */
import { useState, useSyncExternalStore } from 'react';
import { t } from '../i18n/index.ts';
import { useSessionController, useSessionState, useStore, useTools } from '../session/use-session.ts';
import { ownControl } from '../session/control-text.ts';
import type { ReplicaSession } from '../replica/replica-session.ts';
import { ReplicaView } from '../replica/replica-view.tsx';
import type { Tool } from '../replica/use-drawing-input.ts';
import { StatusPill, describeStatus } from '../components/StatusPill.tsx';
import { describeHostUi } from '../session/host-ui-text.ts';
import { ParticipantsList } from '../components/ParticipantsList.tsx';
import { EndedPanel } from '../components/EndedPanel.tsx';
import { DrawingToolbar } from '../components/DrawingToolbar.tsx';
import { ControlBar } from '../components/ControlBar.tsx';
import { SharedControlBar } from '../components/SharedControlBar.tsx';
import { NavigationBar } from '../components/NavigationBar.tsx';
import { NoticeStack } from '../components/NoticeStack.tsx';
import { ChatPanel } from '../components/ChatPanel.tsx';
import { InvitePanel } from '../components/InvitePanel.tsx';
import { SharedBrowserPanel } from './OpenUrlPanel.tsx';
import { NotesBox } from '../components/NotesBox.tsx';
import { ShareButton } from '../components/ShareButton.tsx';
import { E2eeStatus } from '../components/E2eeStatus.tsx';
import { transportKind } from '../stream-socket.ts';

interface Props {
  replica: ReplicaSession;
  onLeave: () => void;
  onBack: () => void;
}

export function SessionView({ replica, onLeave, onBack }: Props) {
  const controller = useSessionController();
  const state = useSessionState();
  const tools = useTools();
  const chat = useStore(controller.chat);
  const presence = useStore(controller.presence);
  const notices = useStore(controller.notices);
  const ready = useSyncExternalStore(replica.subscribe, () => replica.getOverlay().ready);
  const overStream = useSyncExternalStore(transportKind.subscribe, transportKind.get) === 'stream';
  const [chosen, setTool] = useState<Tool>('pointer');
  const tool = tools.draw && state.phase !== 'ended' ? chosen : 'pointer';
  const live = state.phase === 'live' && !state.reconnecting;
  const ended = state.phase === 'ended';
  const own = ownControl(state.control, state.participantId);
  const inControl = live && own === 'in_control';
  const guest = state.viewer.kind === 'guest';
  // A shared browser: the customer (a guest) may drive it too (docs/SHARED-BROWSER.md).
  const shared = state.sharedBrowser !== null;
  const customerSees = live ? describeHostUi(state.hostUi, state.control, state.participantId) : null;

  return (
    <div className="session">
      <div className="session-bar">
        <div className="session-title">
          <span className="session-label">{ended ? t.sessionEndedLabel : t.liveSessionLabel}</span>
          {guest && !shared && <span className="badge badge-muted">{t.viewOnly}</span>}
          {state.policy?.e2ee && <E2eeStatus />}
          {state.page && (
            <span className="session-page" title={state.page.url}>
              <span className="muted">{t.pageLabel}: </span>
              {state.page.title || state.page.url}
            </span>
          )}
        </div>
        <StatusPill {...describeStatus(state, ready)} />
        {customerSees && (
          <span className="customer-sees" data-testid="customer-sees" aria-live="polite" title={t.customerSeesLabel}>
            {customerSees}
          </span>
        )}
        {overStream && (
          <span className="badge badge-muted" data-testid="transport-notice" role="status">
            {t.transportStream}
          </span>
        )}
        <button type="button" className="button button-danger" onClick={onLeave} disabled={state.phase !== 'live'}>
          {t.leave}
        </button>
      </div>
      {(!guest || shared) && (
        <div className="session-tools">
          {tools.draw && <DrawingToolbar tool={tool} onTool={setTool} onClear={() => controller.sendDraw({ kind: 'clear' })} disabled={ended} />}
          {tools.navigate && inControl && <NavigationBar key={state.page?.url} currentUrl={state.page?.url ?? ''} onAction={(a) => controller.sendAction(a)} />}
          {shared ? (
            <SharedControlBar
              control={state.control}
              selfId={state.participantId}
              participants={state.participants}
              customer={guest}
              canControl={tools.control}
              disabled={!live}
              onRequest={() => controller.requestControl()}
              onRelease={() => controller.releaseControl()}
              onHand={(id) => controller.handControl(id)}
              onDeny={(id) => controller.denyControl(id)}
            />
          ) : (
            <ControlBar
              control={state.control}
              selfId={state.participantId}
              participants={state.participants}
              canControl={tools.control}
              disabled={!live}
              onRequest={() => controller.requestControl()}
              onRelease={() => controller.releaseControl()}
            />
          )}
        </div>
      )}
      <div className="session-body">
        <div className="session-main">
          <ReplicaView
            replica={replica}
            greyed={ended || (state.hostStatus !== 'active' && state.hostStatus !== 'idle')}
            onPointer={(x, y) => controller.sendPointer(x, y)}
            interaction={{
              tool,
              inControl,
              color: controller.ownColor(),
              presence,
              participants: state.participants,
              selfId: state.participantId,
              onAction: (action) => controller.sendAction(action),
              onDraw: (op) => controller.sendDraw(op),
              onNotice: (text) => controller.notices.push(text, 'warn'),
            }}
          />
          <NoticeStack notices={notices} onDismiss={(id) => controller.notices.dismiss(id)} />
          {state.phase === 'ended' && state.ended && <EndedPanel ended={state.ended} onBack={onBack} />}
        </div>
        <aside className="session-side">
          <ParticipantsList participants={state.participants} selfId={state.participantId} hostStatus={state.hostStatus} controllerId={state.control.controllerId} sharedBrowser={shared} ended={ended} />
          <SharedBrowserPanel sessionId={state.sessionId} tabs={state.sharedBrowser?.tabs ?? null} canSwitch={inControl && tools.navigate} onSelect={(index) => controller.selectTab(index)} />
          {tools.invite && <InvitePanel invite={state.invite} onCreate={() => controller.createInvite()} />}
          {tools.chat && (
            <ChatPanel
              chat={chat}
              selfId={state.participantId}
              participants={state.participants}
              onSend={(text) => controller.chat.post(text)}
              onTyping={(typing) => controller.sendTyping(typing)}
              ended={ended}
            />
          )}
          {tools.notes && state.sessionId && (
            <details className="notes-details">
              <summary>{t.notesHeading}</summary>
              <NotesBox sessionId={state.sessionId} headingLevel={3} />
              <ShareButton target={{ type: 'session', id: state.sessionId }} />
            </details>
          )}
        </aside>
      </div>
    </div>
  );
}
