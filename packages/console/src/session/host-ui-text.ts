/** "Customer sees: …" — what the customer's built-in widget shows (it is never in the replica). */
import type { HostUi } from '@samepage/protocol';
import { t } from '../i18n/index.ts';
import type { ControlView } from './control-text.ts';

/** The line for the console, or null when the widget has not reported (headless sites never do). */
export function describeHostUi(ui: HostUi | null, control: Pick<ControlView, 'pending'>, selfId: string | null): string | null {
  if (ui === null) return null;
  const parts = ui.map((part) => {
    switch (part) {
      case 'launcher':
        return t.hostUiLauncher;
      case 'code':
        return t.hostUiCode;
      case 'banner':
        return t.hostUiBanner;
      case 'prompt':
        // While a control request waits, the prompt the customer sees is that request.
        if (selfId !== null && control.pending.includes(selfId)) return t.hostUiYourControlRequest;
        return control.pending.length > 0 ? t.hostUiControlRequest : t.hostUiPrompt;
      case 'chat':
        return t.hostUiChat;
      case 'invite':
        return t.hostUiInvite;
    }
  });
  return t.customerSees(parts.length > 0 ? parts.join(' · ') : t.customerSeesNothing);
}
