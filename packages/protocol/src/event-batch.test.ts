import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'fflate';
import { compactEventBatch, expandEventBatch, parseEventBatch, type BatchEvent } from './event-batch.ts';
import { DeltaWindow } from './delta-window.ts';

const enc = new TextEncoder();
const roundTrip = (events: BatchEvent[]): BatchEvent[] | null => parseEventBatch(enc.encode(JSON.stringify(compactEventBatch(events))));

const mutation = (data: Record<string, unknown>, timestamp = 1_700_000_000_100): BatchEvent => ({
  type: 3,
  timestamp,
  data: { source: 0, texts: [], attributes: [], removes: [], adds: [], ...data },
});

test('a mutation with texts, attributes, removes and adds comes back as the same rrweb event', () => {
  const events = [
    mutation({
      texts: [
        { id: 16, value: 'delta 566' },
        { id: 9, value: null },
      ],
      attributes: [
        { id: 9202, attributes: { class: 'bm hot', style: { color: ['red', ''], width: false } } },
        { id: 6170, attributes: { 'data-v': '4044', title: null } },
      ],
      removes: [
        { parentId: 7006, id: 7083 },
        { parentId: 1750, id: 1863 },
      ],
      adds: [
        { parentId: 7006, nextId: 7175, node: { type: 2, tagName: 'li', attributes: {}, childNodes: [], id: 9967 } },
        { parentId: 9967, nextId: null, node: { type: 3, textContent: ' gamma 0', id: 9968 } },
        { parentId: 9967, nextId: 9968, node: { type: 2, tagName: 'span', attributes: { class: 'bm' }, childNodes: [], id: 9969 } },
        { parentId: 4, nextId: null, node: { type: 2, tagName: 'p', attributes: {}, childNodes: [], id: 12, isSVG: true } },
      ],
    }),
  ];
  assert.deepEqual(roundTrip(events), events);
});

test('pointer moves keep whole pixels, scrolls and other events come back unchanged, timestamps exact', () => {
  const events: BatchEvent[] = [
    { type: 3, timestamp: 1000, data: { source: 3, id: 1, x: 0, y: 37.5 } },
    { type: 3, timestamp: 1003, data: { source: 1, positions: [{ x: 122.4976577758789, y: 639.5, id: 136, timeOffset: 0 }] } },
    { type: 3, timestamp: 998, data: { source: 5, id: 44, text: '*****', isChecked: false } },
    { type: 5, timestamp: 1004, data: { tag: 'samepage:visual-viewport', payload: { scale: 1 } } },
    // Shapes the compact form does not know travel as they are.
    { type: 3, timestamp: 1005, data: { source: 0, texts: [], attributes: [], removes: [{ parentId: 1, id: 2, isShadow: true }], adds: [] } },
    { type: 3, timestamp: 1006, data: { source: 0, texts: [], attributes: [], removes: [], adds: [], isAttachIframe: true } },
  ];
  const back = roundTrip(events);
  assert.ok(back);
  assert.deepEqual(back[1], { type: 3, timestamp: 1003, data: { source: 1, positions: [{ x: 122, y: 640, id: 136, timeOffset: 0 }] } });
  assert.deepEqual([back[0], ...back.slice(2)], [events[0], ...events.slice(2)]);
});

test('keys set to undefined (JSON drops them) do not stop an event from being compacted', () => {
  const event = { type: 3, timestamp: 7, delay: undefined, data: { source: 0, texts: [{ id: 1, value: 'x', extra: undefined }], attributes: [], removes: [], adds: [], isAttachIframe: undefined } };
  const compact = JSON.stringify(compactEventBatch([event]));
  assert.ok(compact.startsWith('{"t":7,"e":[[0,0,'), compact);
  assert.deepEqual(roundTrip([event]), [mutation({ texts: [{ id: 1, value: 'x' }] }, 7)]);
});

test('attributes of one node set under several names come back as one entry', () => {
  const events = [mutation({ attributes: [{ id: 5, attributes: { class: 'a', 'data-x': '1' } }, { id: 6, attributes: { class: 'b' } }] })];
  const back = roundTrip(events)!;
  const attributes = (back[0]!.data as { attributes: unknown[] }).attributes;
  assert.deepEqual(
    [...attributes].sort((a, b) => (a as { id: number }).id - (b as { id: number }).id),
    [
      { id: 5, attributes: { class: 'a', 'data-x': '1' } },
      { id: 6, attributes: { class: 'b' } },
    ],
  );
});

test('a plain event array (keyframes, old recordings) is read as it is; garbage is refused', () => {
  const plain = [{ type: 4, timestamp: 1, data: { href: 'https://x', width: 1, height: 1 } }];
  assert.deepEqual(expandEventBatch(plain), plain);
  assert.equal(expandEventBatch({ t: 1, e: [[0, 'x', {}]] }), null);
  assert.equal(expandEventBatch({ t: 1, e: [[7, 0]] }), null);
  assert.equal(expandEventBatch({ t: 1, e: [{ type: 'x' }] }), null);
  assert.equal(expandEventBatch([1, 2]), null);
  assert.equal(expandEventBatch('nope'), null);
  assert.equal(parseEventBatch(enc.encode('{"t":')), null);
  assert.deepEqual(expandEventBatch({ t: 5, e: [] }), []);
});

/** A frame of the bench's steady workload: 25 text changes, 25 attribute changes, a list insertion. */
function workloadBatch(seed: number, nextId: { id: number }): BatchEvent[] {
  let s = seed;
  const rand = (n: number): number => ((s = (s * 1103515245 + 12345) & 0x7fffffff), s % n);
  const words = 'alpha beta gamma delta order parcel refund status ready shipped pending total price update'.split(' ');
  const li = nextId.id;
  nextId.id += 4;
  return [
    mutation(
      {
        texts: Array.from({ length: 25 }, () => ({ id: 16 + rand(10_000), value: `${words[rand(words.length)]} ${rand(1000)}` })),
        attributes: Array.from({ length: 25 }, (_, i) => ({ id: 16 + rand(10_000), attributes: i % 2 ? { class: rand(2) ? 'bm hot' : 'bm' } : { 'data-v': String(rand(10_000)) } })),
        removes: [{ parentId: 7006, id: 16 + rand(10_000) }],
        adds: [
          { parentId: 7006, nextId: 16 + rand(10_000), node: { type: 2, tagName: 'li', attributes: {}, childNodes: [], id: li } },
          { parentId: li, nextId: null, node: { type: 3, textContent: ` ${words[rand(words.length)]} ${rand(100)}`, id: li + 1 } },
          { parentId: li, nextId: li + 1, node: { type: 2, tagName: 'span', attributes: { class: 'bm' }, childNodes: [], id: li + 2 } },
          { parentId: li + 2, nextId: null, node: { type: 3, textContent: `${words[rand(words.length)]} ${words[rand(words.length)]}`, id: li + 3 } },
        ],
      },
      1_700_000_000_000 + seed * 16,
    ),
    { type: 3, timestamp: 1_700_000_000_001 + seed * 16, data: { source: 1, positions: [{ x: 100.123456789 + seed, y: 200.987654321, id: 12, timeOffset: 0 }] } },
    { type: 3, timestamp: 1_700_000_000_001 + seed * 16, data: { source: 3, id: 1, x: 0, y: 37 * seed } },
  ];
}

/** Deflated bytes of a delta stream, each delta with the epoch's dictionary (as the SDK sends it). */
function deltaStreamBytes(payloads: string[]): number {
  const window = new DeltaWindow();
  let total = 0;
  for (const text of payloads) {
    const bytes = enc.encode(text);
    total += deflateSync(bytes, { level: 6, dictionary: window.dictionary() }).byteLength;
    window.append(bytes);
  }
  return total;
}

test('on the steady workload the compact form deflates at least 15% smaller than the event array', () => {
  const a = { id: 10_000 };
  const batches = Array.from({ length: 200 }, (_, i) => workloadBatch(i + 1, a));
  const plain = deltaStreamBytes(batches.map((b) => JSON.stringify(b)));
  const compact = deltaStreamBytes(batches.map((b) => JSON.stringify(compactEventBatch(b))));
  assert.ok(compact < plain * 0.85, `compact ${compact} B, plain ${plain} B`);
  for (const b of batches.slice(0, 5)) assert.equal(roundTrip(b)?.length, b.length);
});
