/**
 * The last gate before anything leaves the tab. rrweb masks most things through its own
 * options, but not everything (hidden inputs, the `value` attribute of a cleared field,
 * placeholders and titles inside redacted areas, text that changed after a field became
 * sensitive). So every event is re-checked here against the live DOM, synchronously in the
 * emit hook, before it is JSON-encoded.
 */
import {
  EventType,
  IncrementalSource,
  NodeType,
  incrementalSource,
  isRecord,
  type InputData,
  type MutationData,
  type RecordedEvent,
  type SerializedNode,
} from './rrweb-events.ts';
import { hasLabelValue, maskText, maskValue, scrubAttributes, MASKED_TEXT, type ElementArea, type RedactionPolicy } from './redaction.ts';

export type NodeLookup = (id: number) => Node | null | undefined;

const RAW_TEXT_PARENTS = new Set(['STYLE', 'SCRIPT', 'style', 'script']);

function asElement(node: Node | null | undefined): Element | null {
  return node && node.nodeType === 1 ? (node as Element) : null;
}

/** Whether the text children of `el` must be masked. */
function masksChildText(policy: RedactionPolicy, el: Element, area: ElementArea = describeArea(policy, el)): boolean {
  if (area.redacted || area.blocked) return true;
  // A textarea's text child is its default value.
  return el.tagName === 'TEXTAREA' && policy.isValueMasked(el);
}

/** Asked once per node of a snapshot: each is a closest() up the live tree. */
function describeArea(policy: RedactionPolicy, el: Element): ElementArea {
  return { redacted: policy.isTextRedacted(el), blocked: policy.isBlocked(el) };
}

function isFormFieldTag(tag: string | undefined): boolean {
  return tag === 'input' || tag === 'textarea' || tag === 'select';
}

/** When the live node is gone we cannot ask the policy, so we assume the worst. */
function scrubDetachedAttributes(node: SerializedNode, inRedacted: boolean): void {
  const attrs = node.attributes;
  if (!attrs) return;
  for (const name of Object.keys(attrs)) {
    const value = attrs[name];
    if (typeof value !== 'string' || value === '') continue;
    const lower = name.toLowerCase();
    if (lower === 'value' && (inRedacted || isFormFieldTag(node.tagName))) attrs[name] = maskValue(value);
    else if (inRedacted && ['placeholder', 'title', 'aria-label', 'alt'].includes(lower)) attrs[name] = MASKED_TEXT;
  }
}

/**
 * An option's `selected` says which choice was made. rrweb drops it for every select under
 * maskAllInputs (so even an allowed select showed its first option in the replica); it is put
 * back from the live node for a select whose value the policy lets through, and dropped
 * otherwise (also from attribute mutations, which rrweb passes through unmasked).
 */
function scrubOptionState(policy: RedactionPolicy, el: Element | null, attrs: Record<string, unknown>, snapshot: boolean): void {
  const select = el?.closest('select');
  const shown = select && !policy.isValueMasked(select);
  if (shown && snapshot && (el as HTMLOptionElement).selected) attrs['selected'] = true;
  else if (!shown || snapshot) delete attrs['selected'];
}

/** What the children of a scrubbed node inherit. */
export interface ScrubContext {
  masksText: boolean;
  tag: string;
}

/**
 * Scrubs one node of a serialized tree in place, not its children; returns what they inherit.
 * The snapshot slicer (snapshot-slicer.ts) walks a full snapshot with it a slice at a time.
 */
export function scrubSnapshotNode(policy: RedactionPolicy, lookup: NodeLookup, node: SerializedNode, parentMasksText: boolean, parentTag: string): ScrubContext {
  if (node.type === NodeType.Text || node.type === NodeType.CDATA || node.type === NodeType.Comment) {
    if (parentMasksText && !RAW_TEXT_PARENTS.has(parentTag) && typeof node.textContent === 'string') {
      node.textContent = maskText(node.textContent);
    }
    return { masksText: parentMasksText, tag: parentTag };
  }
  let masksText = parentMasksText;
  let tag = parentTag;
  if (node.type === NodeType.Element) {
    tag = (node.tagName ?? '').toUpperCase();
    const el = asElement(lookup(node.id));
    if (el) {
      const area = describeArea(policy, el);
      if (node.attributes) node.attributes = scrubAttributes(policy, el, node.attributes, area);
      masksText = parentMasksText || masksChildText(policy, el, area);
    } else {
      scrubDetachedAttributes(node, parentMasksText);
      masksText = parentMasksText || tag === 'TEXTAREA';
    }
    if (tag === 'OPTION' && node.attributes) scrubOptionState(policy, el, node.attributes, true);
    // A canvas image may show anything, text included: none from a redacted or blocked area.
    if (tag === 'CANVAS' && masksText && node.attributes) delete node.attributes['rr_dataURL'];
  }
  return { masksText, tag };
}

function scrubTree(policy: RedactionPolicy, lookup: NodeLookup, node: SerializedNode, parentMasksText: boolean, parentTag: string): void {
  const context = scrubSnapshotNode(policy, lookup, node, parentMasksText, parentTag);
  for (const child of node.childNodes ?? []) scrubTree(policy, lookup, child, context.masksText, context.tag);
}

function scrubMutation(policy: RedactionPolicy, lookup: NodeLookup, data: MutationData): void {
  for (const add of data.adds ?? []) {
    const parent = asElement(lookup(add.parentId));
    const masks = parent ? masksChildText(policy, parent) : false;
    scrubTree(policy, lookup, add.node, masks, parent?.tagName ?? '');
  }
  for (const text of data.texts ?? []) {
    if (typeof text.value !== 'string') continue;
    const parent = lookup(text.id)?.parentElement ?? null;
    if (parent && !RAW_TEXT_PARENTS.has(parent.tagName) && masksChildText(policy, parent)) text.value = maskText(text.value);
  }
  for (const change of data.attributes ?? []) {
    const el = asElement(lookup(change.id));
    if (el) change.attributes = scrubAttributes(policy, el, change.attributes);
    else scrubDetachedAttributes({ type: NodeType.Element, id: change.id, attributes: change.attributes }, true);
    if ((!el || el.tagName === 'OPTION') && 'selected' in change.attributes) scrubOptionState(policy, el, change.attributes, false);
  }
}

function scrubInput(policy: RedactionPolicy, lookup: NodeLookup, data: InputData): void {
  const el = asElement(lookup(data.id));
  if (!el) {
    data.text = maskValue(data.text);
    return;
  }
  const labelOnly = hasLabelValue(el) && !policy.needsAttributeScrub(el);
  if (policy.isValueMasked(el) && !labelOnly) data.text = maskValue(data.text);
}

/**
 * Masks, in place, whatever in `event` the policy says must not leave the tab.
 *
 * @example
 *   record({ emit: (e) => { scrubEvent(policy, (id) => record.mirror.getNode(id), e); send(e); } });
 */
export function scrubEvent(policy: RedactionPolicy, lookup: NodeLookup, event: RecordedEvent): RecordedEvent {
  if (event.type === EventType.FullSnapshot && isRecord(event.data) && isRecord(event.data['node'])) {
    scrubTree(policy, lookup, event.data['node'] as unknown as SerializedNode, false, '');
    return event;
  }
  const source = incrementalSource(event);
  if (source === IncrementalSource.Mutation) scrubMutation(policy, lookup, event.data as MutationData);
  else if (source === IncrementalSource.Input) scrubInput(policy, lookup, event.data as InputData);
  else if (source === IncrementalSource.CanvasMutation) {
    const data = event.data as { id: number; commands?: unknown[] };
    const el = asElement(lookup(data.id));
    if (!el || masksChildText(policy, el)) data.commands = [];
  } else if (source === IncrementalSource.AdoptedStyleSheet) {
    // A blocked shadow host (Samepage's own widget, say) shows as an empty box: its styles are not needed.
    const data = event.data as { id: number; styleIds?: unknown[]; styles?: unknown[] };
    const el = asElement(lookup(data.id));
    if (el && policy.isBlocked(el)) {
      data.styleIds = [];
      delete data.styles;
    }
  }
  return event;
}
