/**
 * A read-only window hook for e2e tests: the replica's document (same-origin iframe) and the
 * decoder's counters. It exposes nothing a same-origin script could not already read.
 */
import type { SessionController } from '../session/session-controller.ts';
import type { DecoderStats } from './frame-decoder.ts';
import type { OverlayState } from './replica-session.ts';

export interface ReplicaTestHook {
  document(): Document | null;
  stats(): DecoderStats | null;
  overlay(): OverlayState | null;
  /** The replayer's mirror id of a replica node (the customer's id for it), or -1 when it has none. */
  idOf(node: Node): number;
}

declare global {
  interface Window {
    __samepageReplica?: ReplicaTestHook;
  }
}

export function installReplicaTestHook(controller: SessionController): () => void {
  const hook: ReplicaTestHook = Object.freeze({
    document: () => controller.replica?.getAdapter()?.document() ?? null,
    stats: () => controller.replica?.stats() ?? null,
    overlay: () => controller.replica?.getOverlay() ?? null,
    idOf: (node: Node) => controller.replica?.getAdapter()?.idOf(node) ?? -1,
  });
  window.__samepageReplica = hook;
  return () => {
    if (window.__samepageReplica === hook) delete window.__samepageReplica;
  };
}
