/**
 * Who controls a shared browser. Its host is a page on the server, not a person, so it cannot
 * consent; the people in the session decide (docs/SHARED-BROWSER.md, "Control"):
 *
 *  C1. One participant at a time drives the browser: an agent, or the customer (a guest who joined
 *      with the shared browser's link).
 *  C2. An agent with `session.control` (and a role the site lets request control) takes control at
 *      once when nobody holds it or when the customer holds it (taking it back); not from another
 *      agent, who must release first.
 *  C3. Such an agent may hand control to the customer (`control_grant`), whether or not the
 *      customer asked, and deny the customer's request (`control_deny`).
 *  C4. The customer may ask for control (`control_request`, waits for an agent) and give it back
 *      (`control_release`); never grant, deny or take it.
 *  C5. Actions are checked as on a customer's site: only the controller's; navigation and tab
 *      switching need the site's `allowNavigation`, and agents also need `session.navigate`. They
 *      run through the page's SDK (clicks, typing, scrolling) or the browser itself (navigation,
 *      tabs; shared-browser.ts).
 *  C6. The page itself (the session's host socket) may not grant, deny or revoke control, chat as
 *      "the customer", or create watch links: it is whatever website was opened.
 *  C7. Every change is audited with who did it (the agent's user, or `customer`), and announced
 *      to everyone with `control_state`.
 */
import type { BrowserTab, ControlAction, ControlFailure } from '@samepage/protocol';
import type { AuditActor } from '../store.ts';
import type { CollabMessage, Sender } from '../relay/collab-router.ts';
import type { LiveSession, Member } from '../relay/live-session.ts';
import type { Relay } from '../relay/relay.ts';

/** Messages the page in a shared browser may not send (C6). */
const REFUSED_FROM_PAGE = new Set(['control_grant', 'control_deny', 'control_revoke', 'control_request', 'control_release', 'control_action', 'chat_send', 'chat_typing', 'guest_invite_create']);

/** What a live session knows of its shared browser (LiveSession.sharedBrowser), set by shared-browser.ts. */
export interface SharedBrowserHandle {
  tabs: BrowserTab[];
  /** Runs a navigation or tab switch in the browser itself (the page may be between two loads). */
  runAction(action: Extract<ControlAction, { kind: 'navigate' | 'tab' }>, reply: (result: { ok: boolean; failure?: ControlFailure; message?: string }) => void): void;
}

type ControlMessage = Extract<CollabMessage, { type: 'control_request' | 'control_release' | 'control_grant' | 'control_deny' | 'control_revoke' | 'control_action' }>;

const CONTROL_TYPES = new Set(['control_request', 'control_release', 'control_grant', 'control_deny', 'control_revoke', 'control_action']);

function isControlMessage(message: CollabMessage): message is ControlMessage {
  return CONTROL_TYPES.has(message.type);
}

/** Whether the action moves the browser elsewhere (C5). */
export function movesBrowser(action: ControlAction): action is Extract<ControlAction, { kind: 'navigate' | 'tab' }> {
  return action.kind === 'navigate' || action.kind === 'tab';
}

/**
 * Handles a collaboration message of a shared-browser session when its rules differ from a
 * customer's site (control, and what the page may send); returns false to let the usual router
 * handle it.
 *
 * @example
 *   if (session.sharedBrowser && routeSharedBrowser(relay, session, sender, message)) return;
 */
export function routeSharedBrowser(relay: Relay, session: LiveSession, sender: Sender, message: CollabMessage): boolean {
  if (sender.kind === 'host') {
    if (!REFUSED_FROM_PAGE.has(message.type)) return false;
    sender.peer.fail('permission_denied', 'In a shared browser, the people in the session decide; the page may not send this.');
    return true;
  }
  if (!isControlMessage(message)) return false;
  new SharedControl(relay, session, sender.member).handle(message);
  return true;
}

class SharedControl {
  private readonly pid: string;
  private readonly isAgent: boolean;

  constructor(
    private readonly relay: Relay,
    private readonly session: LiveSession,
    private readonly member: Member,
  ) {
    this.pid = member.participant.id;
    this.isAgent = member.participant.role === 'agent';
  }

  handle(message: ControlMessage): void {
    switch (message.type) {
      case 'control_request':
        return this.isAgent ? this.take() : this.ask();
      case 'control_release':
        return this.release();
      case 'control_grant':
        return this.handTo(message.participantId);
      case 'control_deny':
        return this.deny(message.participantId);
      case 'control_revoke':
        return this.refuse(this.isAgent ? 'In a shared browser, take control instead (control_request).' : 'Give control back instead (control_release).');
      case 'control_action':
        return this.act(message.actionId, message.action);
    }
  }

  /** C2: an agent with the right to control, as on a customer's site. */
  private agentMayControl(): boolean {
    if (!this.isAgent || !this.member.permissions.has('session.control')) return false;
    const roles = this.session.controlRoles;
    return roles.length === 0 || roles.includes(this.member.roleKey);
  }

  private controllerIsAgent(): boolean {
    const id = this.session.control.controllerId;
    return id !== null && this.session.members.get(id)?.participant.role === 'agent';
  }

  /** C2 */
  private take(): void {
    const { control } = this.session;
    if (!this.agentMayControl()) return this.refuse('Your role does not allow this (session.control).');
    if (control.controllerId === this.pid) return this.conflict('You are already in control.');
    if (this.controllerIsAgent()) return this.conflict(`${this.session.participantName(control.controllerId!)} is in control; they must release it first.`);
    const from = control.controllerId;
    control.assign(this.pid);
    this.session.announceControl(from ? 'taken_back' : 'granted');
    void this.audit('control.requested');
    if (from) void this.audit('control.revoked', { participantId: from });
    this.granted(this.pid);
  }

  /** C4: the customer asks; an agent answers (C3). */
  private ask(): void {
    const change = this.session.control.request(this.pid);
    if (!change.ok) return this.conflict(change.reason === 'Your request is waiting for the customer.' ? 'Your request is waiting for the agent.' : change.reason);
    this.session.announceControl('requested');
    void this.audit('control.requested');
  }

  private release(): void {
    const change = this.session.control.release(this.pid);
    if (!change.ok) return this.conflict(change.reason);
    this.session.announceControl('released');
    void this.audit('control.released');
  }

  /** C3 */
  private handTo(participantId: string): void {
    if (!this.agentMayControl()) return this.refuse('Only an agent who may control can hand control over.');
    const target = this.session.members.get(participantId);
    if (!target || target.participant.role !== 'guest') return this.conflict('Control can be handed to the customer only.');
    const { control } = this.session;
    if (control.controllerId === participantId) return this.conflict('The customer is already in control.');
    if (this.controllerIsAgent() && control.controllerId !== this.pid) return this.conflict(`${this.session.participantName(control.controllerId!)} is in control; they must release it first.`);
    control.assign(participantId);
    this.session.announceControl('granted');
    void this.audit('control.granted', { participantId, name: target.participant.name });
    this.granted(participantId);
  }

  /** C3 */
  private deny(participantId: string): void {
    if (!this.agentMayControl()) return this.refuse('Only an agent who may control can answer a request.');
    const change = this.session.control.deny(participantId);
    if (!change.ok) return this.conflict(change.reason);
    this.session.announceControl('denied');
    void this.audit('control.denied', { participantId });
  }

  /** C5 */
  private act(actionId: number, action: ControlAction): void {
    const { session, member } = this;
    const refuse = (failure: 'not_controller' | 'no_permission', text: string) => member.peer.sendMessage({ type: 'control_result', actionId, ok: false, failure, message: text });
    if (this.isAgent && !this.agentMayControl()) return refuse('no_permission', 'Your role does not allow control.');
    if (!session.control.isController(this.pid)) return refuse('not_controller', this.isAgent ? 'You are not in control.' : 'The agent has not given you control.');
    if (movesBrowser(action)) {
      if (this.isAgent && !member.permissions.has('session.navigate')) return refuse('no_permission', 'Your role does not allow navigation.');
      if (!session.policy.allowNavigation) return refuse('no_permission', 'This site does not allow navigation.');
      if (action.kind === 'navigate') void this.audit('control.navigate', { to: action.to, url: action.url ?? null });
      else void this.audit('control.tab', { index: action.index });
      return session.sharedBrowser?.runAction(action, (result) => member.peer.sendMessage({ type: 'control_result', actionId, ...result }));
    }
    if (!session.host) return refuse('not_controller', 'The shared browser is loading a page; try again in a moment.');
    session.host.sendMessage({ type: 'control_action', participantId: this.pid, actionId, action });
  }

  private granted(participantId: string): void {
    this.relay.events.emit(this.session.tenantId, 'control.granted', { sessionId: this.session.id, participant: { id: participantId, name: this.session.participantName(participantId) } });
  }

  private refuse(text: string): void {
    this.member.peer.fail('permission_denied', text);
  }

  private conflict(text: string): void {
    this.member.peer.fail('conflict', text);
  }

  /** C7: the agent's user, or the customer (a guest has no account; its participant id is kept). */
  private audit(action: string, detail: Record<string, unknown> = {}): Promise<void> {
    const actor: AuditActor = this.isAgent ? { type: 'user', id: this.member.userId } : { type: 'customer', id: null };
    const extra = this.isAgent ? {} : { by: this.pid, byName: this.member.participant.name };
    return this.relay.deps.store.audit(this.session.tenantId, actor, action, this.session.id, { ...detail, ...extra, sharedBrowser: true }).catch((err: unknown) => this.session.log.error({ err }, 'could not audit'));
  }
}
