/**
 * Who controls the customer's tab. One controller at a time, only with the customer's consent;
 * the customer can take it back at any moment, and it ends when the controller leaves.
 */
export type ControlChange = { ok: true; reason: string } | { ok: false; reason: string };

export class ControlState {
  controllerId: string | null = null;
  readonly pending = new Set<string>();

  request(participantId: string): ControlChange {
    if (this.controllerId === participantId) return { ok: false, reason: 'You are already in control.' };
    if (this.pending.has(participantId)) return { ok: false, reason: 'Your request is waiting for the customer.' };
    this.pending.add(participantId);
    return { ok: true, reason: 'requested' };
  }

  /** The customer allows a pending request. Refused while someone else is in control. */
  grant(participantId: string): ControlChange {
    if (!this.pending.has(participantId)) return { ok: false, reason: 'No pending request from this participant.' };
    if (this.controllerId !== null) return { ok: false, reason: 'Another participant is in control; take control back first.' };
    this.pending.delete(participantId);
    this.controllerId = participantId;
    return { ok: true, reason: 'granted' };
  }

  deny(participantId: string): ControlChange {
    if (!this.pending.delete(participantId)) return { ok: false, reason: 'No pending request from this participant.' };
    return { ok: true, reason: 'denied' };
  }

  /** The customer takes control back (also clears waiting requests). Always succeeds. */
  revoke(): ControlChange {
    this.controllerId = null;
    this.pending.clear();
    return { ok: true, reason: 'revoked' };
  }

  /**
   * Gives control straight to a participant, whoever held it (shared browser: the agents decide,
   * shared-browser/shared-control.ts). Its own waiting request, if any, is answered by this.
   */
  assign(participantId: string): ControlChange {
    this.pending.delete(participantId);
    this.controllerId = participantId;
    return { ok: true, reason: 'granted' };
  }

  release(participantId: string): ControlChange {
    if (this.controllerId !== participantId) return { ok: false, reason: 'You are not in control.' };
    this.controllerId = null;
    return { ok: true, reason: 'released' };
  }

  /** A participant left: its request is dropped, and control ends if it held it. */
  left(participantId: string): ControlChange | null {
    const hadRequest = this.pending.delete(participantId);
    if (this.controllerId === participantId) {
      this.controllerId = null;
      return { ok: true, reason: 'left' };
    }
    return hadRequest ? { ok: true, reason: 'left' } : null;
  }

  isController(participantId: string): boolean {
    return this.controllerId === participantId;
  }

  snapshot(): { controllerId: string | null; pending: string[] } {
    return { controllerId: this.controllerId, pending: [...this.pending] };
  }
}
