import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ASSET_TAG, createInlineAssets, PART_CHARS, readInlineType } from './asset-inline.ts';
import type { RecordedEvent } from './rrweb-events.ts';

/** Node has no FileReader: the part of it asset-inline.ts uses, on the real Blob. */
class FakeFileReader {
  result: string | null = null;
  error: unknown = null;
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  readAsDataURL(blob: Blob): void {
    void blob.arrayBuffer().then((bytes) => {
      this.result = `data:${blob.type};base64,${Buffer.from(bytes).toString('base64')}`;
      this.onload?.();
    });
  }
}
(globalThis as { FileReader?: unknown }).FileReader ??= FakeFileReader;

function fakeStream() {
  let provide: () => RecordedEvent[] = () => [];
  const stream = {
    keyframes: 0,
    setKeyframeEvents: (p: () => RecordedEvent[]) => void (provide = p),
    takeKeyframe: () => void (stream.keyframes += 1),
    events: () => provide(),
  };
  return stream;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const payloads = (events: RecordedEvent[]) => events.map((e) => (e.data as { tag: string; payload: { url: string; type: string; part: number; parts: number; data: string } }).payload);

test('only images and fonts are inlined (fonts often come as octet-stream); never HTML, script or CSS', () => {
  for (const type of ['image/png', 'image/svg+xml; charset=utf-8', 'font/woff2', 'application/font-woff', 'application/x-font-ttf', 'application/vnd.ms-fontobject', 'application/octet-stream']) assert.ok(readInlineType(type), type);
  for (const type of ['text/html', 'text/javascript', 'application/javascript', 'text/css', 'application/xhtml+xml', '', 'image']) assert.equal(readInlineType(type), null, type);
});

test('every keyframe carries every asset, cut into parts; several assets fetched together ask for one keyframe', async () => {
  const stream = fakeStream();
  let busy = true;
  const inline = createInlineAssets(stream, () => busy);
  const big = Buffer.alloc(PART_CHARS, 7); // base64 is 4/3 longer: two parts
  assert.equal(await inline.add('https://shop.example/a.png', new Blob([big], { type: 'image/png' }), 'image/png'), true);
  assert.equal(await inline.add('https://shop.example/f.woff2', new Blob([Buffer.from('font')]), 'font/woff2'), true);
  assert.equal(await inline.add('https://shop.example/x.html', new Blob(['<script>1</script>']), 'text/html'), false);
  await sleep(400);
  assert.equal(stream.keyframes, 0, 'no keyframe while the scan is still fetching');
  busy = false;
  await sleep(400);
  assert.equal(stream.keyframes, 1, 'one keyframe for the whole scan');

  for (let round = 0; round < 2; round++) {
    const events = stream.events();
    assert.ok(events.every((e) => e.type === 5 && (e.data as { tag: string }).tag === ASSET_TAG));
    const parts = payloads(events);
    assert.deepEqual(parts.map((p) => [p.url, p.part, p.parts]), [['https://shop.example/a.png', 0, 2], ['https://shop.example/a.png', 1, 2], ['https://shop.example/f.woff2', 0, 1]]);
    assert.deepEqual(Buffer.from(parts[0]!.data + parts[1]!.data, 'base64'), big);
    assert.equal(parts[2]!.type, 'font/woff2');
  }
  inline.stop();
  assert.deepEqual(stream.events(), [], 'stopped: keyframes carry nothing');
});
