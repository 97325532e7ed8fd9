/**
 * Control of a shared browser (docs/SHARED-BROWSER.md): who drives it, and the buttons to take,
 * hand over, give back or ask for control. Agents and the customer (a guest) see the same state.
 */
import type { Participant } from '@samepage/protocol';
import { t } from '../i18n/index.ts';
import { enSharedBrowser as s } from '../i18n/en-shared-browser.ts';
import type { ControlView } from '../session/control-text.ts';
import { describeSharedController, waitingCustomers } from '../session/shared-control-text.ts';

interface Props {
  control: ControlView;
  selfId: string | null;
  participants: readonly Participant[];
  /** The viewer is the customer (a guest), not an agent. */
  customer: boolean;
  canControl: boolean;
  disabled: boolean;
  onRequest: () => void;
  onRelease: () => void;
  onHand: (participantId: string) => void;
  onDeny: (participantId: string) => void;
}

export function SharedControlBar(props: Props) {
  const { control, selfId, participants, customer, canControl, disabled } = props;
  const mine = selfId !== null && control.controllerId === selfId;
  const waiting = selfId !== null && control.pending.includes(selfId);
  return (
    <div className="control-bar" role="group" aria-label={s.controlLabel}>
      <span className={`control-state${mine ? ' control-mine' : ''}`} data-testid="control-state" aria-live="polite">
        <span className="control-dot" aria-hidden="true" />
        {waiting && !mine ? s.waitingForAgent : describeSharedController(control, selfId, participants)}
      </span>
      {mine && (
        <button type="button" className="button button-danger button-small" onClick={props.onRelease}>
          {customer ? s.giveBack : t.releaseControl}
        </button>
      )}
      {customer && canControl && !mine && !waiting && (
        <button type="button" className="button button-primary button-small" onClick={props.onRequest} disabled={disabled}>
          {s.askForControl}
        </button>
      )}
      {!customer && canControl && <AgentButtons {...props} mine={mine} />}
    </div>
  );
}

function AgentButtons({ control, participants, disabled, onRequest, onHand, onDeny, mine }: Props & { mine: boolean }) {
  const controller = control.controllerId ? participants.find((p) => p.id === control.controllerId) : undefined;
  const customerDrives = controller?.role === 'guest';
  const anotherAgentDrives = controller?.role === 'agent' && !mine;
  const asking = waitingCustomers(control, participants);
  const customers = participants.filter((p) => p.role === 'guest' && p.id !== control.controllerId && !asking.includes(p));
  return (
    <>
      {!mine && !anotherAgentDrives && (
        <button type="button" className="button button-primary button-small" onClick={onRequest} disabled={disabled}>
          {customerDrives ? s.takeBack : s.takeControl}
        </button>
      )}
      {!anotherAgentDrives &&
        customers.map((p) => (
          <button key={p.id} type="button" className="button button-ghost button-small" onClick={() => onHand(p.id)} disabled={disabled}>
            {s.handToCustomer(p.name)}
          </button>
        ))}
      {asking.map((p) => (
        <span key={p.id} className="control-request" role="group" aria-label={s.customerAsks(p.name)}>
          <span>{s.customerAsks(p.name)}</span>
          <button type="button" className="button button-primary button-small" onClick={() => onHand(p.id)} disabled={disabled || anotherAgentDrives}>
            {s.allow}
          </button>
          <button type="button" className="button button-ghost button-small" onClick={() => onDeny(p.id)} disabled={disabled}>
            {s.deny}
          </button>
        </span>
      ))}
    </>
  );
}
