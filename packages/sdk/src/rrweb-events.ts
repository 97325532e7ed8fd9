/**
 * The slice of rrweb's event format (rrweb 2.x, `@rrweb/types`) that the SDK reads or writes.
 * Kept local and loose on purpose: the recorder is behind an adapter and may be replaced, and
 * the scrubber must tolerate shapes it does not know (it leaves them alone or masks them).
 */
export const EventType = { FullSnapshot: 2, IncrementalSnapshot: 3, Meta: 4, Custom: 5 } as const;

export const IncrementalSource = {
  Mutation: 0,
  MouseMove: 1,
  MouseInteraction: 2,
  Scroll: 3,
  ViewportResize: 4,
  Input: 5,
  TouchMove: 6,
  CanvasMutation: 9,
  AdoptedStyleSheet: 15,
} as const;

/** rrweb-snapshot's NodeType. */
export const NodeType = { Document: 0, DocumentType: 1, Element: 2, Text: 3, CDATA: 4, Comment: 5 } as const;

export interface RecordedEvent {
  type: number;
  data: unknown;
  timestamp: number;
}

export interface SerializedNode {
  type: number;
  id: number;
  tagName?: string;
  attributes?: Record<string, unknown>;
  childNodes?: SerializedNode[];
  textContent?: string;
}

export interface MutationData {
  source: 0;
  texts?: { id: number; value: string | null }[];
  attributes?: { id: number; attributes: Record<string, unknown> }[];
  adds?: { parentId: number; nextId: number | null; node: SerializedNode }[];
}

export interface InputData {
  source: 5;
  id: number;
  text: string;
  isChecked: boolean;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function incrementalSource(event: RecordedEvent): number | undefined {
  if (event.type !== EventType.IncrementalSnapshot || !isRecord(event.data)) return undefined;
  const source = event.data['source'];
  return typeof source === 'number' ? source : undefined;
}
