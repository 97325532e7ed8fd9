/**
 * rrweb's full snapshot, taken a slice at a time (docs/PERFORMANCE.md, "Snapshot slicing").
 *
 * rrweb 2.1.6 serializes the whole document in one synchronous recursion. The SDK's build patches
 * `@rrweb/record` (packages/sdk/rrweb-slicing.mjs) so that, when a recorder asks for it, each
 * node's children are handed to this walk instead of being recursed into. The walk serializes them
 * with rrweb's own per-node serializer (same format, same ids, same mirror, same iframe, shadow
 * DOM and stylesheet hooks), depth first, and yields to the page every SLICE_MS.
 *
 * The page keeps running in between, so the keyframe describes the page as it is when the walk
 * ends: a node is read when the walk reaches it. While the walk runs, rrweb's mutation buffers
 * keep recording but do not emit, and every other rrweb event is held back; when the walk ends,
 * Meta + FullSnapshot are emitted, then the held events, then the mutations. So that each change
 * reaches the replica exactly once, a mutation record is judged when rrweb receives it:
 * - on a node the walk has not reached yet: dropped (the walk reads the node's newer state later);
 * - on a node the walk has serialized: kept (the keyframe has the older state; the mutation follows it);
 * - on a node inside a subtree that a kept mutation adds: kept, even below nodes the walk had
 *   serialized before they were moved there (rrweb's add lists the whole subtree); the walk drops
 *   the rest of any queue whose parent now lies inside such a subtree;
 * - a node added under a serialized parent is skipped by the walk wherever it meets it later (the
 *   kept mutation adds it);
 * - a queued child that no longer has the parent it was queued under is skipped (it was removed or moved);
 * - a serialized node that turns up where the walk has not been yet (moved forward) cannot be
 *   expressed by either side: the walk gives up and takes the rest in one piece, as rrweb does.
 */
import { yieldToPage } from './snapshot-slicer.ts';

/** rrweb's serialized node, as far as the walk touches it. */
export interface WalkNode {
  childNodes?: WalkNode[];
  isShadow?: boolean;
}

/** Called by the patched serializer instead of recursing into a node's children. */
export type DeferChildren = (container: Node, parent: WalkNode, children: Node[], options: Record<string, unknown>, isShadow: boolean) => void;

/** What the patched `takeFullSnapshot` gives the walk: rrweb's closures. */
export interface WalkHost {
  /** The recorder asked for slices (RecorderOptions.sliceSnapshot); otherwise one piece. */
  sliced: boolean;
  doc: Document;
  /** rrweb's `snapshot(document, …)`, with children deferred when `defer` is given. */
  snapshotRoot(defer?: DeferChildren): WalkNode | null;
  /** rrweb's `serializeNodeWithId`. */
  serialize(node: Node, options: Record<string, unknown>): WalkNode | null;
  /** Forgets what the mutation buffers recorded during the walk (before a one-piece snapshot). */
  discardPending(): void;
  /** Emits Meta + FullSnapshot, then the held events, then unlocks the mutation buffers. */
  finish(root: WalkNode | null, held: Array<() => void>): void;
  onError(error: unknown): void;
}

interface Frame {
  container: Node;
  parent: WalkNode;
  children: Node[];
  next: number;
  options: Record<string, unknown>;
  isShadow: boolean;
  /** `Walk.keptAdds` when this frame's container was last found outside every added subtree. */
  checked: number;
}

/** The minimal shape of a MutationRecord the filter reads. */
interface RecordLike {
  type: string;
  target: Node;
  addedNodes: ArrayLike<Node>;
}

export const WALK_SLICE_MS = 8;
/** Nodes serialized between two looks at the clock. */
const CLOCK_EVERY = 32;

class Walk {
  readonly visited = new WeakSet<Node>();
  /** Nodes a kept mutation adds: the walk must not serialize them too. */
  readonly addedByMutation = new WeakSet<Node>();
  /** How many kept mutations have added nodes: a frame checked before the latest is checked again. */
  private keptAdds = 0;
  readonly held: Array<() => void> = [];
  readonly stack: Frame[] = [];
  /** A serialized node moved to where the walk has not been: finish in one piece. */
  inconsistent = false;
  cancelled = false;
  root: WalkNode | null = null;
  private pending: Frame[] = [];

  constructor(readonly host: WalkHost) {}

  readonly defer: DeferChildren = (container, parent, children, options, isShadow) => {
    options.deferChildren = this.defer;
    this.pending.push({ container, parent, children, next: 0, options, isShadow, checked: this.keptAdds });
  };

  begin(): void {
    this.visited.add(this.host.doc);
    this.root = this.host.snapshotRoot(this.defer);
    this.pushPending();
  }

  /** Serializes until the deadline; true when the tree is complete. */
  step(deadline: number): boolean {
    const { stack, visited } = this;
    let count = 0;
    while (stack.length > 0) {
      if (this.inconsistent) return false;
      const frame = stack[stack.length - 1]!;
      if (frame.checked !== this.keptAdds) {
        // A kept mutation moved this node (or an ancestor) into an added subtree: rrweb's
        // mutation describes all of it now, the rest of these children included.
        frame.checked = this.keptAdds;
        if (this.insideAdded(frame.container)) frame.next = frame.children.length;
      }
      if (frame.next >= frame.children.length) {
        stack.pop();
        continue;
      }
      const child = frame.children[frame.next++]!;
      if (child.parentNode !== frame.container || this.addedByMutation.has(child)) continue;
      if (visited.has(child)) {
        this.inconsistent = true;
        return false;
      }
      visited.add(child);
      const serialized = this.host.serialize(child, frame.options);
      if (serialized) {
        if (frame.isShadow) serialized.isShadow = true;
        frame.parent.childNodes?.push(serialized);
      }
      this.pushPending();
      if (++count % CLOCK_EVERY === 0 && performance.now() >= deadline) return stack.length === 0;
    }
    return true;
  }

  /** Light children first, then the shadow root's, as rrweb's recursion orders them. */
  private pushPending(): void {
    for (let i = this.pending.length - 1; i >= 0; i -= 1) this.stack.push(this.pending[i]!);
    this.pending = [];
  }

  /** Judges a mutation record while the walk runs: true when rrweb should ignore it. */
  drops(record: RecordLike): boolean {
    const target = record.target;
    if (target !== this.host.doc && target.ownerDocument !== this.host.doc) return false; // a frame's document: not walked
    if (record.type !== 'childList') {
      // A textarea's text is serialized as its value: its children are never visited themselves.
      const parent = target.parentNode;
      return this.territory(parent?.nodeName === 'TEXTAREA' ? parent : target) === 'walk';
    }
    const owner = isShadowRoot(target) ? target.host : target;
    if (this.territory(owner) === 'walk') {
      for (const node of Array.from(record.addedNodes)) if (this.visited.has(node)) this.inconsistent = true;
      return true;
    }
    if (record.addedNodes.length > 0) this.keptAdds += 1;
    for (const node of Array.from(record.addedNodes)) this.addedByMutation.add(node);
    return false;
  }

  private insideAdded(node: Node): boolean {
    for (let current: Node | null = node; current; current = current.parentNode ?? (isShadowRoot(current) ? current.host : null)) {
      if (this.addedByMutation.has(current)) return true;
    }
    return false;
  }

  /**
   * Who describes a node's current state: the keyframe, with later changes as mutations
   * ('visited'); the walk, which has yet to read it ('walk'); or rrweb's mutations alone, for a
   * node inside a subtree a kept mutation adds ('added': the walk never goes there).
   */
  private territory(node: Node): 'visited' | 'walk' | 'added' {
    // An added subtree may hold nodes the walk had serialized before it was moved there: above
    // them, it is still rrweb's to describe.
    if (this.insideAdded(node)) return 'added';
    let current: Node | null = node;
    while (current) {
      if (this.visited.has(current)) return current === node ? 'visited' : 'walk';
      current = current.parentNode ?? (isShadowRoot(current) ? current.host : null);
    }
    return 'walk'; // not in the document: nothing observes it, the walk reads it if it comes back
  }
}

function isShadowRoot(node: Node): node is ShadowRoot {
  return node.nodeType === 11 && 'host' in node && (node as ShadowRoot).host !== undefined;
}

/**
 * The one walk of the page (rrweb's recorder is a singleton too). The patched record.js reads
 * `active`, `held` and `drops`, and calls `start` and `cancel`.
 */
export const snapshotWalk = {
  walk: null as Walk | null,

  get active(): boolean {
    return this.walk !== null;
  },

  /** rrweb events other than the keyframe's, held while the walk runs. */
  hold(emit: () => void): void {
    this.walk?.held.push(emit);
  },

  drops(record: RecordLike): boolean {
    return this.walk !== null && this.walk.drops(record);
  },

  start(host: WalkHost): void {
    this.cancel();
    if (!host.sliced) {
      host.finish(host.snapshotRoot(), []);
      return;
    }
    const walk = new Walk(host);
    this.walk = walk;
    try {
      walk.begin();
    } catch (error) {
      this.end(walk, error);
      return;
    }
    this.run(walk);
  },

  /** Runs slices until the walk is done, cancelled, or must finish in one piece. */
  run(walk: Walk): void {
    if (walk.cancelled) return;
    let done: boolean;
    try {
      done = walk.step(performance.now() + WALK_SLICE_MS);
    } catch (error) {
      this.end(walk, error);
      return;
    }
    if (done) this.end(walk);
    else if (walk.inconsistent) this.end(walk, undefined, true);
    else
      void yieldToPage().then(() => {
        if (this.walk === walk) this.run(walk);
      });
  },

  /** Emits the keyframe (or, when the walk failed or went inconsistent, one taken in one piece). */
  end(walk: Walk, error?: unknown, inconsistent = false): void {
    this.walk = null;
    const { host } = walk;
    try {
      if (error !== undefined) host.onError(error);
      let root = walk.root;
      if (error !== undefined || inconsistent) {
        host.discardPending();
        root = host.snapshotRoot();
      }
      host.finish(root, walk.held);
    } catch (failure) {
      host.onError(failure);
      try {
        host.finish(null, []); // no keyframe, but the mutation buffers must not stay locked
      } catch {
        // reported above
      }
    }
  },

  /** Stops a walk under way without emitting anything (the recorder stopped or restarted). */
  cancel(): void {
    if (this.walk) this.walk.cancelled = true;
    this.walk = null;
  },
};
