import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { serializeKeyframe, WHOLE_SUBTREE_NODES, type ScrubNode } from './snapshot-slicer.ts';
import type { RecordedEvent, SerializedNode } from './rrweb-events.ts';
import { json, useJson } from './safe-json.ts';

const decoder = new TextDecoder();
const text = (chunks: Uint8Array[]): string => chunks.map((c) => decoder.decode(c, { stream: true })).join('') + decoder.decode();

/** A page-like tree: `sections` sections of `rows` rows, each row an element with a text child. */
function tree(sections: number, rows: number): { root: SerializedNode; nodes: number } {
  let id = 0;
  const el = (tagName: string, childNodes: SerializedNode[], attributes: Record<string, unknown> = {}): SerializedNode => ({ type: 2, tagName, attributes, childNodes, id: ++id });
  const txt = (value: string): SerializedNode => ({ type: 3, textContent: value, id: ++id });
  const body = el(
    'body',
    Array.from({ length: sections }, (_, s) =>
      el(
        'section',
        Array.from({ length: rows }, (_, r) => el('p', [txt(`row ${s}.${r} é "quoted" </script>`)], r % 7 === 0 ? { class: 'secret' } : { 'data-r': String(r) })),
        { id: `s${s}` },
      ),
    ),
  );
  const root: SerializedNode = { type: 0, id: ++id, childNodes: [{ type: 1, id: ++id } as SerializedNode, el('html', [el('head', []), body])] };
  return { root, nodes: id };
}

const events = (root: SerializedNode): RecordedEvent[] => [
  { type: 4, timestamp: 1, data: { href: 'https://shop.test/', width: 800, height: 600 } },
  { type: 2, timestamp: 2, data: { node: root, initialOffset: { left: 0, top: 120 } } },
  { type: 5, timestamp: 3, data: { tag: 'samepage:visual-viewport', payload: { scale: 1 } } },
];

test('the sliced keyframe is the JSON of the events (same values; keys may come in another order), for small and large trees', async () => {
  for (const [sections, rows] of [
    [1, 3],
    [40, 400],
  ] as const) {
    const { root } = tree(sections, rows);
    const chunks = await serializeKeyframe(events(root), { sliceMs: 1 });
    assert.ok(isDeepStrictEqual(JSON.parse(text(chunks)), JSON.parse(JSON.stringify(events(root)))));
  }
});

test('a large snapshot is encoded in many slices, with the page running between them', async () => {
  const { root, nodes } = tree(40, 400);
  assert.ok(nodes > 20 * WHOLE_SUBTREE_NODES);
  let yields = 0;
  const chunks = await serializeKeyframe(events(root), {
    sliceMs: 0,
    yieldNow: async () => {
      yields++;
      await new Promise((r) => setImmediate(r));
    },
  });
  assert.ok(chunks.length > 1, 'cut into several UTF-8 chunks');
  assert.ok(yields >= 40, `yielded ${yields} times`);
});

test('every node is scrubbed, with what its parent passes down, before anything is encoded', async () => {
  const { root, nodes } = tree(10, 100);
  let scrubbed = 0;
  let encodedBeforeScrubEnded = false;
  const scrubNode: ScrubNode = (node, parentMasks, parentTag) => {
    scrubbed++;
    if (node.type === 3 && parentMasks) node.textContent = '***';
    const masks = parentMasks || node.attributes?.['class'] === 'secret';
    return { masksText: masks, tag: node.tagName ?? parentTag };
  };
  const original = json();
  useJson({
    parse: original.parse,
    stringify: ((...args: Parameters<typeof JSON.stringify>) => {
      if (scrubbed < nodes) encodedBeforeScrubEnded = true;
      return original.stringify(...args);
    }) as typeof JSON.stringify,
  });
  let out: string;
  try {
    // The meta event comes first and carries no page content; count from the snapshot on.
    out = text(await serializeKeyframe(events(root).slice(1), { scrubNode, sliceMs: 0, yieldNow: () => Promise.resolve() }));
  } finally {
    useJson(original);
  }
  assert.equal(scrubbed, nodes);
  assert.equal(encodedBeforeScrubEnded, false);
  assert.ok(!out.includes('row 0.0 '), 'text under a masked element is masked');
  assert.ok(out.includes('row 0.1 '), 'other text is kept');
  assert.equal((out.match(/\*\*\*/g) ?? []).length, 10 * Math.ceil(100 / 7));
});

test('the default yield (a message-channel task) works', async () => {
  const { root } = tree(5, 300);
  const chunks = await serializeKeyframe(events(root), { sliceMs: 0 });
  assert.ok(isDeepStrictEqual(JSON.parse(text(chunks)), JSON.parse(JSON.stringify(events(root)))));
});
