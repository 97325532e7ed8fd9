/** Remote control: ask for it, wait for the customer, release it; and who holds it now. */
import type { Participant } from '@samepage/protocol';
import { t } from '../i18n/index.ts';
import { describeController, ownControl, type ControlView } from '../session/control-text.ts';

interface Props {
  control: ControlView;
  selfId: string | null;
  participants: readonly Participant[];
  canControl: boolean;
  disabled: boolean;
  onRequest: () => void;
  onRelease: () => void;
}

export function ControlBar({ control, selfId, participants, canControl, disabled, onRequest, onRelease }: Props) {
  const own = ownControl(control, selfId);
  return (
    <div className="control-bar" role="group" aria-label={t.controlLabel}>
      <span className={`control-state${own === 'in_control' ? ' control-mine' : ''}`} data-testid="control-state" aria-live="polite">
        <span className="control-dot" aria-hidden="true" />
        {own === 'pending' ? t.waitingForCustomer : describeController(control, selfId, participants)}
      </span>
      {canControl && own === 'none' && (
        <button type="button" className="button button-primary button-small" onClick={onRequest} disabled={disabled}>
          {t.requestControl}
        </button>
      )}
      {own === 'in_control' && (
        <button type="button" className="button button-danger button-small" onClick={onRelease}>
          {t.releaseControl}
        </button>
      )}
    </div>
  );
}
