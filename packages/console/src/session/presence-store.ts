/** Other agents' pointers and everyone's drawings: fast-changing, so apart from the session state. */
import type { DrawOp } from '@samepage/protocol';
import { EMPTY_DRAWINGS, LASER_MS, applyDrawOp, pruneLasers, type DrawingLog } from './drawing-log.ts';
import { Store } from './store.ts';

export interface Presence {
  /** Other agents' pointers, in the customer's document coordinates. */
  pointers: Record<string, { x: number; y: number }>;
  drawings: DrawingLog;
}

const EMPTY: Presence = { pointers: {}, drawings: EMPTY_DRAWINGS };

export class PresenceStore extends Store<Presence> {
  private pruneTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super(EMPTY);
  }

  pointer(participantId: string, x: number | null, y: number | null): void {
    this.update((p) => {
      const pointers = { ...p.pointers };
      if (x === null || y === null) delete pointers[participantId];
      else pointers[participantId] = { x, y };
      return { ...p, pointers };
    });
  }

  /** Someone left: their pointer goes, and so do their drawings (as on the customer's page). */
  removeParticipant(participantId: string): void {
    if (participantId in this.get().pointers) this.pointer(participantId, null, null);
    if (this.get().drawings.shapes.some((s) => s.owner === participantId)) {
      this.update((p) => ({ ...p, drawings: { ...p.drawings, shapes: p.drawings.shapes.filter((s) => s.owner !== participantId) } }));
    }
  }

  draw(owner: string, color: string, op: DrawOp): void {
    this.update((p) => ({ ...p, drawings: applyDrawOp(p.drawings, owner, color, op, Date.now()) }));
    if (op.kind === 'laser') this.schedulePrune();
  }

  reset(): void {
    if (this.pruneTimer) clearTimeout(this.pruneTimer);
    this.pruneTimer = null;
    this.set(EMPTY);
  }

  private schedulePrune(): void {
    if (this.pruneTimer) return;
    this.pruneTimer = setTimeout(() => {
      this.pruneTimer = null;
      const { drawings } = this.get();
      const lasers = pruneLasers(drawings.lasers, Date.now());
      if (lasers.length !== drawings.lasers.length) this.update((p) => ({ ...p, drawings: { ...p.drawings, lasers } }));
      if (lasers.length > 0) this.schedulePrune();
    }, LASER_MS / 4);
  }
}
