import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ASSETS_TAG, AssetRewriter } from './asset-rewriter.ts';
import type { ReplicaEvent } from './frame-decoder.ts';

const CONSOLE = 'https://help.example.com';
const routing = { proxy: `${CONSOLE}/assets/proxy`, token: 't.k' };
const via = (url: string) => `${routing.proxy}?t=t.k&u=${encodeURIComponent(url)}`;

function snapshot(...children: unknown[]): ReplicaEvent[] {
  return [
    { type: 4, timestamp: 1, data: { href: 'https://shop.example.com/cart', width: 800, height: 600 } },
    { type: 2, timestamp: 1, data: { node: { type: 0, id: 1, childNodes: [{ type: 2, id: 2, tagName: 'html', attributes: {}, childNodes: children }] } } },
  ];
}

const html = (events: ReplicaEvent[]) => JSON.stringify(events);

test('fonts always go through the proxy; other assets of the site keep their URL by default', () => {
  const r = new AssetRewriter(CONSOLE, true);
  r.setRouting(routing);
  const events = r.rewrite(
    snapshot(
      { type: 2, id: 3, tagName: 'style', attributes: {}, childNodes: [{ type: 3, id: 4, isStyle: true, textContent: '@font-face{font-family:F;src:url(https://shop.example.com/f.woff2)} body{background:url(https://shop.example.com/bg.png)}' }] },
      { type: 2, id: 5, tagName: 'img', attributes: { src: 'https://shop.example.com/logo.png' }, childNodes: [] },
    ),
  );
  const out = html(events);
  assert.ok(out.includes(JSON.stringify(via('https://shop.example.com/f.woff2')).slice(1, -1)), out);
  assert.ok(out.includes('url(https://shop.example.com/bg.png)'));
  assert.ok(out.includes('"src":"https://shop.example.com/logo.png"'));
});

test('http assets under an https console go through the proxy: img, srcset, picture source, inline style, SVG image', () => {
  const r = new AssetRewriter(CONSOLE, true);
  r.setRouting(routing);
  const [, full] = r.rewrite(
    snapshot(
      { type: 2, id: 3, tagName: 'img', attributes: { src: 'http://shop.test/a.png', srcset: 'http://shop.test/a.png 1x, http://shop.test/a@2x.png 2x' }, childNodes: [] },
      { type: 2, id: 4, tagName: 'source', attributes: { srcset: 'http://shop.test/b.webp' }, childNodes: [] },
      { type: 2, id: 5, tagName: 'div', attributes: { style: 'background-image:url("http://shop.test/c.png")' }, childNodes: [] },
      { type: 2, id: 6, tagName: 'image', isSVG: true, attributes: { href: 'http://shop.test/d.png' }, childNodes: [] },
      { type: 2, id: 7, tagName: 'iframe', attributes: { src: 'http://shop.test/frame.html' }, childNodes: [] },
      { type: 2, id: 8, tagName: 'img', attributes: { src: 'https://shop.test/secure.png' }, childNodes: [] },
    ),
  );
  const nodes = (full!.data as { node: { childNodes: [{ childNodes: Array<{ attributes: Record<string, string> }> }] } }).node.childNodes[0].childNodes;
  assert.equal(nodes[0]!.attributes.src, via('http://shop.test/a.png'));
  assert.equal(nodes[0]!.attributes.srcset, `${via('http://shop.test/a.png')} 1x, ${via('http://shop.test/a@2x.png')} 2x`);
  assert.equal(nodes[1]!.attributes.srcset, via('http://shop.test/b.webp'));
  assert.equal(nodes[2]!.attributes.style, `background-image:url("${via('http://shop.test/c.png')}")`);
  assert.equal(nodes[3]!.attributes.href, via('http://shop.test/d.png'));
  assert.equal(nodes[4]!.attributes.src, 'http://shop.test/frame.html', 'frames are never routed');
  assert.equal(nodes[5]!.attributes.src, 'https://shop.test/secure.png', 'https assets load directly');
});

test("origins the customer's tab supplies (ASSETS_TAG, even after the snapshot in the batch) go through the proxy, also in later mutations", () => {
  const r = new AssetRewriter('http://127.0.0.1:8080', false);
  r.setRouting({ proxy: 'http://127.0.0.1:8080/assets/proxy', token: 'k' });
  const events = snapshot({ type: 2, id: 3, tagName: 'img', attributes: { src: 'https://intranet.corp/logo.png' }, childNodes: [] });
  events.push({ type: 5, timestamp: 2, data: { tag: ASSETS_TAG, payload: { origins: ['https://intranet.corp'] } } });
  assert.ok(html(r.rewrite(events)).includes('/assets/proxy?t=k&u=https%3A%2F%2Fintranet.corp%2Flogo.png'));
  const later: ReplicaEvent[] = [
    { type: 3, timestamp: 3, data: { source: 0, adds: [{ parentId: 2, nextId: null, node: { type: 2, id: 9, tagName: 'img', attributes: { src: 'https://intranet.corp/new.png' }, childNodes: [] } }], attributes: [{ id: 3, attributes: { src: 'https://intranet.corp/changed.png' } }], texts: [], removes: [] } },
    { type: 3, timestamp: 3, data: { source: 8, id: 1, adds: [{ rule: '.x{background:url(https://intranet.corp/r.png)}', index: 0 }] } },
  ];
  const out = html(r.rewrite(later));
  for (const name of ['new.png', 'changed.png', 'r.png']) assert.ok(out.includes(`u=https%3A%2F%2Fintranet.corp%2F${name}`), name);
  assert.equal(html(r.rewrite(snapshot({ type: 2, id: 3, tagName: 'img', attributes: { src: 'https://other.corp/x.png' }, childNodes: [] }))).includes('assets/proxy'), false, 'other origins keep their URL');
});

test('without routing (proxy off, or a guest), nothing changes', () => {
  const r = new AssetRewriter(CONSOLE, true);
  const events = snapshot({ type: 2, id: 3, tagName: 'img', attributes: { src: 'http://shop.test/a.png' }, childNodes: [] });
  const before = html(events);
  assert.equal(html(r.rewrite(events)), before);
});

/** The SDK's inline asset events (asset-inline.ts): base64 cut into `parts`. */
function inlineAsset(url: string, type: string, bytes: Buffer, parts = 1): ReplicaEvent[] {
  const data = bytes.toString('base64');
  const size = Math.ceil(data.length / parts);
  return Array.from({ length: parts }, (_, part) => ({ type: 5, timestamp: 1, data: { tag: 'samepage:asset', payload: { url, type, part, parts, data: data.slice(part * size, (part + 1) * size) } } }));
}

test('end-to-end encrypted inline assets: images become blob: URLs, fonts data: URLs, before the proxy; their events are not passed on', async () => {
  const r = new AssetRewriter(CONSOLE, true);
  r.setRouting(routing);
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="red"/></svg>');
  const font = Buffer.from('wOF2 font bytes, cut in three parts');
  const events = r.rewrite([
    ...snapshot(
      { type: 2, id: 3, tagName: 'style', attributes: {}, childNodes: [{ type: 3, id: 4, isStyle: true, textContent: '@font-face{font-family:F;src:url(/private/f.woff2)} .x{background:url(https://shop.example.com/private/bg.svg#frag)}' }] },
      { type: 2, id: 5, tagName: 'img', attributes: { src: '/private/logo.svg' }, childNodes: [] },
      { type: 2, id: 6, tagName: 'img', attributes: { src: 'https://shop.example.com/public.png' }, childNodes: [] },
    ),
    ...inlineAsset('https://shop.example.com/private/logo.svg', 'image/svg+xml', svg),
    ...inlineAsset('https://shop.example.com/private/bg.svg', 'image/svg+xml', svg),
    ...inlineAsset('https://shop.example.com/private/f.woff2', 'font/woff2', font, 3),
  ]);
  assert.equal(events.length, 2, 'the asset events stay in the rewriter');
  const out = html(events);
  const logo = /"src":"(blob:[^"]+)"/.exec(out)?.[1];
  assert.ok(logo, out);
  assert.deepEqual(Buffer.from(await (await fetch(logo)).arrayBuffer()), svg, 'the blob holds the customer’s bytes');
  const css = out.replace(/\\"/g, '"');
  assert.match(css, /background:url\("blob:/);
  assert.ok(css.includes(`url("data:font/woff2;base64,${font.toString('base64')}")`), 'the font as a data: URL (font-src allows data:, not blob:)');
  assert.ok(out.includes('"src":"https://shop.example.com/public.png"'), 'an asset the stream did not carry keeps its URL');

  // The next keyframe brings the set again; one without the asset leaves it to the proxy rules.
  const next = html(r.rewrite(snapshot({ type: 2, id: 5, tagName: 'img', attributes: { src: 'https://shop.example.com/private/logo.svg' }, childNodes: [] })));
  assert.ok(next.includes('"src":"https://shop.example.com/private/logo.svg"'), next);
});

test('malformed, partial, oversized or unsafe inline assets are ignored', () => {
  const r = new AssetRewriter(CONSOLE, true);
  const img = (src: string) => ({ type: 2, id: 5, tagName: 'img', attributes: { src }, childNodes: [] });
  const events = r.rewrite([
    ...snapshot(img('https://shop.example.com/a.html'), img('https://shop.example.com/b.png'), img('https://shop.example.com/c.png')),
    ...inlineAsset('https://shop.example.com/a.html', 'text/html', Buffer.from('<script>1</script>')),
    ...inlineAsset('https://shop.example.com/b.png', 'image/png', Buffer.from('only one of two parts'), 2).slice(0, 1),
    { type: 5, timestamp: 1, data: { tag: 'samepage:asset', payload: { url: 'https://shop.example.com/c.png', type: 'image/png', part: 0, parts: 1, data: 'not base64!' } } },
  ]);
  const out = html(events);
  assert.ok(!out.includes('blob:'), out);
  assert.ok(!out.includes('data:'), out);
});
