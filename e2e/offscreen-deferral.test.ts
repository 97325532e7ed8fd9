/**
 * Changes far below the fold are held and sent once, with their latest state, before they can be
 * seen (packages/sdk/src/offscreen-deferral.ts), in real Chromium with a real IntersectionObserver.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './support/browser.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

async function bundle(): Promise<string> {
  const out = await build({
    stdin: { contents: `import { startOffscreenDeferral } from './packages/sdk/src/offscreen-deferral.ts'; window.__deferral = startOffscreenDeferral;`, resolveDir: root, loader: 'ts' },
    bundle: true,
    format: 'iife',
    write: false,
    target: 'es2020',
    logLevel: 'error',
  });
  return out.outputFiles[0]!.text;
}

/** A tall page: 300 rows of 40 px (12 000 px in an 800 px viewport), a table at the end, a redacted row. */
const PAGE = `<!doctype html><html><body style="margin:0">
${Array.from({ length: 300 }, (_, i) => `<div id="r${i}" class="row" style="height:40px"${i === 250 ? ' data-samepage-redact' : ''}>row ${i}</div>`).join('')}
<table><tr><td id="cell">cell</td></tr></table></body></html>`;

const HARNESS = `(() => {
  const nodes = new Map();
  let nextId = 1;
  const idOf = (n) => { for (const [id, m] of nodes) if (m === n) return id; const id = nextId++; nodes.set(id, n); return id; };
  let pending = 0;
  const d = window.__deferral({ getNode: (id) => nodes.get(id) || null, isRedacted: (el) => !!el.closest('[data-samepage-redact]'), onPending: () => { pending += 1; } });
  const mutation = (texts, attributes) => ({ type: 3, timestamp: Date.now(), data: { source: 0, texts, attributes, removes: [], adds: [] } });
  window.__t = {
    d, get pending() { return pending; },
    changeText(rowId, value) { const t = document.getElementById(rowId).firstChild; t.data = value; return mutation([{ id: idOf(t), value }], []); },
    changeAttr(elId, name, value) { const el = document.getElementById(elId); el.setAttribute(name, value); return mutation([], [{ id: idOf(el), attributes: { [name]: value } }]); },
    changeStyle(elId) { const el = document.getElementById(elId); el.style.color = 'red'; return mutation([], [{ id: idOf(el), attributes: { style: 'color: red;' } }]); },
    sent(events) { return events.flatMap((e) => [...(e.data.texts || []).map((t) => 'text ' + nodes.get(t.id).parentElement.id + '=' + t.value), ...(e.data.attributes || []).map((a) => 'attr ' + nodes.get(a.id).id + ' ' + JSON.stringify(a.attributes))]); },
  };
})()`;

test('offscreen changes: held below the fold, released with their latest state before they show', { timeout: 60_000 }, async (t) => {
  const script = await bundle();
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 800, height: 800 } });
  await page.setContent(PAGE);
  await page.addScriptTag({ content: script });
  await page.evaluate(HARNESS);

  // On screen, just below it (within a viewport), above it: sent at once. Far below: held.
  const first = await page.evaluate(`(() => {
    const T = window.__t;
    const kept = T.d.filter([T.changeText('r3', 'visible 1'), T.changeText('r25', 'near 1'), T.changeText('r200', 'far 1'), T.changeAttr('r201', 'class', 'row hot'), T.changeAttr('r202', 'data-v', '7')]);
    return { sent: T.sent(kept), held: T.d.heldCount() };
  })()`) as { sent: string[]; held: number };
  assert.deepEqual(first.sent, ['text r3=visible 1', 'text r25=near 1']);
  assert.equal(first.held, 3);

  // Never held: a style attribute, a table cell, a redacted row (the gate must judge them now).
  const never = await page.evaluate(`(() => {
    const T = window.__t;
    const kept = T.d.filter([T.changeStyle('r210'), T.changeText('cell', 'cell 1'), T.changeText('r250', 'secret 1')]);
    return T.sent(kept);
  })()`) as string[];
  assert.equal(never.length, 3, `sent: ${never.join(', ')}`);

  // More changes to a held node: still one entry, sent with the latest value.
  await page.evaluate(`(() => { const T = window.__t; T.d.filter([T.changeText('r200', 'far 2'), T.changeText('r200', 'far 3')]); })()`);
  assert.equal(await page.evaluate('window.__t.d.heldCount()'), 3);
  assert.deepEqual(await page.evaluate('window.__t.d.drain().length'), 0, 'nothing released before it nears the viewport');

  // Scrolling row 200 to within a viewport releases it (and its neighbours) with their state now.
  await page.evaluate('window.scrollTo(0, 200 * 40 - 1200)');
  await page.waitForFunction('window.__t.pending > 0');
  const released = await page.evaluate(`window.__t.sent(window.__t.d.drain())`) as string[];
  assert.deepEqual(released.sort(), ['attr r201 {"class":"row hot"}', 'attr r202 {"data-v":"7"}', 'text r200=far 3']);
  assert.equal(await page.evaluate('window.__t.d.heldCount()'), 0);

  // A held node removed meanwhile is skipped.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.evaluate(`(() => { const T = window.__t; T.d.filter([T.changeText('r280', 'gone')]); document.getElementById('r280').remove(); T.d.filter([]); })()`);
  // A quiet DOM releases whatever is still held (after QUIET_RELEASE_MS).
  await page.evaluate(`(() => { const T = window.__t; T.d.filter([T.changeText('r150', 'late')]); })()`);
  const before = await page.evaluate('window.__t.pending') as number;
  await page.waitForFunction(`window.__t.pending > ${before}`, undefined, { timeout: 5000 });
  const quiet = await page.evaluate(`window.__t.sent(window.__t.d.drain())`) as string[];
  assert.deepEqual(quiet, ['text r150=late']);

  // A keyframe releases everything held, to follow it with its current state.
  await page.evaluate(`(() => { const T = window.__t; T.d.filter([T.changeText('r160', 'x')]); T.d.reset(); })()`);
  assert.deepEqual(await page.evaluate(`window.__t.sent(window.__t.d.drain())`), ['text r160=x']);
  assert.equal(await page.evaluate('window.__t.d.heldCount()'), 0);
});
