/**
 * Builds a keyframe's payload (the JSON array of Meta + FullSnapshot + whatever came with them)
 * a slice at a time, so that a large page does not freeze while it is shared (docs/PERFORMANCE.md,
 * "Snapshot slicing"). rrweb's own serializer still runs in one go inside record(); everything
 * after it is sliced: the redaction pass over the snapshot tree, JSON encoding (subtrees of up to
 * WHOLE_SUBTREE_NODES nodes at a time), UTF-8 encoding, and compression (compression.ts feeds the
 * native CompressionStream chunk by chunk). Between slices the page's own tasks run.
 *
 * Redaction still comes first: the tree is scrubbed completely before any of it is encoded, each
 * node judged by the live DOM when its slice runs. A node whose redaction changed in between is
 * judged by its newer state, as if the snapshot had been taken a few milliseconds later.
 */
import { EventType, isRecord, type RecordedEvent, type SerializedNode } from './rrweb-events.ts';
import { json } from './safe-json.ts';

/** Scrubs one node (not its children) in place; returns what its children inherit. */
export type ScrubNode = (node: SerializedNode, parentMasksText: boolean, parentTag: string) => { masksText: boolean; tag: string };

export interface SliceOptions {
  scrubNode?: ScrubNode;
  /** Work done before yielding to the page. */
  sliceMs?: number;
  /** Injected in tests. */
  yieldNow?: () => Promise<void>;
}

export const SLICE_MS = 8;
/** Subtrees up to this many nodes are JSON-encoded in one call (fast, native). */
export const WHOLE_SUBTREE_NODES = 500;
const CHUNK_CHARS = 128 * 1024;

/**
 * Lets the page run: a message-channel task, queued behind the page's own tasks (no timer
 * clamping). Not scheduler.yield(): its continuations jump ahead of the page's tasks, so the
 * page would still wait for the whole keyframe.
 */
export function yieldToPage(): Promise<void> {
  if (typeof MessageChannel !== 'function') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(0);
  });
}

function createClock(options: SliceOptions): () => Promise<void> {
  const sliceMs = options.sliceMs ?? SLICE_MS;
  const yieldNow = options.yieldNow ?? yieldToPage;
  let started = performance.now();
  return async () => {
    if (performance.now() - started < sliceMs) return;
    await yieldNow();
    started = performance.now();
  };
}

/** Scrubs the whole tree (when a scrubber is given) and counts each subtree's nodes. */
async function walkTree(root: SerializedNode, scrub: ScrubNode | undefined, tick: () => Promise<void>): Promise<Map<SerializedNode, number>> {
  const sizes = new Map<SerializedNode, number>();
  const stack: Array<{ node: SerializedNode; masks: boolean; tag: string; exit: boolean }> = [{ node: root, masks: false, tag: '', exit: false }];
  let visited = 0;
  while (stack.length) {
    const item = stack.pop()!;
    const children = item.node.childNodes ?? [];
    if (item.exit) {
      let size = 1;
      for (const child of children) size += sizes.get(child) ?? 1;
      sizes.set(item.node, size);
      continue;
    }
    const context = scrub ? scrub(item.node, item.masks, item.tag) : { masksText: false, tag: '' };
    stack.push({ ...item, exit: true });
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, masks: context.masksText, tag: context.tag, exit: false });
    if (++visited % 128 === 0) await tick();
  }
  return sizes;
}

/** Appends text and cuts it into UTF-8 chunks of about CHUNK_CHARS. */
function createChunker(): { push(text: string): void; finish(): Uint8Array[] } {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let parts: string[] = [];
  let length = 0;
  const cut = (): void => {
    if (length === 0) return;
    chunks.push(encoder.encode(parts.join('')));
    parts = [];
    length = 0;
  };
  return {
    push(text) {
      parts.push(text);
      length += text.length;
      if (length >= CHUNK_CHARS) cut();
    },
    finish() {
      cut();
      return chunks;
    },
  };
}

/** `{...}` of `value` without its last brace, ready for more keys. */
const openObject = (value: object): string => json().stringify(value).slice(0, -1);

async function encodeNode(node: SerializedNode, sizes: Map<SerializedNode, number>, out: { push(text: string): void }, tick: () => Promise<void>): Promise<void> {
  const children = node.childNodes;
  if (!children || children.length === 0 || (sizes.get(node) ?? 1) <= WHOLE_SUBTREE_NODES) {
    out.push(json().stringify(node));
    await tick();
    return;
  }
  out.push(`${openObject({ ...node, childNodes: undefined })},"childNodes":[`);
  for (let i = 0; i < children.length; i++) {
    if (i > 0) out.push(',');
    await encodeNode(children[i]!, sizes, out, tick);
  }
  out.push(']}');
}

/**
 * The keyframe payload as UTF-8 chunks: scrubbed, then encoded, yielding to the page between slices.
 *
 * @example
 *   const chunks = await serializeKeyframe([meta, fullSnapshot], { scrubNode });
 */
export async function serializeKeyframe(events: readonly RecordedEvent[], options: SliceOptions = {}): Promise<Uint8Array[]> {
  const tick = createClock(options);
  const out = createChunker();
  out.push('[');
  for (const [i, event] of events.entries()) {
    if (i > 0) out.push(',');
    const data = event.data;
    if (event.type !== EventType.FullSnapshot || !isRecord(data) || !isRecord(data['node'])) {
      out.push(json().stringify(event));
      continue;
    }
    const root = data['node'] as unknown as SerializedNode;
    const sizes = await walkTree(root, options.scrubNode, tick);
    const rest = openObject({ ...data, node: undefined });
    out.push(`${openObject({ ...event, data: undefined })},"data":${rest}${rest.length > 1 ? ',' : ''}"node":`);
    await encodeNode(root, sizes, out, tick);
    out.push('}}');
  }
  out.push(']');
  return out.finish();
}
