/**
 * The seam between the console and whatever renders the replica (rrweb's Replayer today, our
 * own live applier tomorrow). Events are applied on arrival, in order.
 */
import type { ReplicaEvent } from './frame-decoder.ts';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ReplicaAdapter {
  /** Throws away the current replica and builds a new one from a keyframe's events. */
  load(events: readonly ReplicaEvent[]): void;
  /** Applies a delta's events on top of the current replica. */
  apply(events: readonly ReplicaEvent[]): void;
  /** Calls back once everything passed to load/apply so far is in the replica DOM. */
  afterApplied(callback: () => void): void;
  /** The replica's document (same-origin, sandboxed without scripts), or null before a keyframe. */
  document(): Document | null;
  /** The replica's scroll position: the customer's document offset of the visible viewport. */
  scroll(): { x: number; y: number };
  /** A node's box in the customer's viewport coordinates, by its mirror id. */
  nodeRect(id: number): Rect | null;
  /** The capture mirror's id of a replica node (the same id as in the customer's tab), or -1. */
  idOf(node: Node): number;
  /** A replica node by its mirror id. */
  nodeOf(id: number): Node | null;
  destroy(): void;
}

/** `contentPolicy` is read at every keyframe: the CSP the replica document gets (see protocol buildReplicaCsp). */
export type CreateReplicaAdapter = (root: HTMLElement, contentPolicy: () => string) => ReplicaAdapter;
