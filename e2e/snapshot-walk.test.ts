/**
 * The sliced full snapshot (packages/sdk/src/snapshot-walk.ts, the build's rrweb patch in
 * packages/sdk/rrweb-slicing.mjs), in real Chromium, without a server: the SDK's recorder is
 * bundled with the patch, records a generated page, and rrweb's replayer rebuilds what it emitted.
 *
 * - The walk yields: the page's own tasks run between the start of recording and the keyframe.
 * - Without changes, the sliced keyframe is the one-piece keyframe, node for node and id for id.
 * - While the walk runs, the page changes every way a page can (texts, attributes, insertions,
 *   removals, moves backwards and forwards in the walk's order, re-insertions, shadow DOM), at
 *   chosen points of the walk; the keyframe plus the mutations that follow it rebuild exactly
 *   the page as it then is, and no id appears twice.
 * - rrweb's own mutation buffers, holding a churning page's changes across tasks as the walk makes
 *   them do, rebuild it exactly (two rrweb 2.1.6 bugs, patched by rrweb-slicing.mjs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './support/browser.ts';
import { rrwebSlicing } from '../packages/sdk/rrweb-slicing.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The recorder (patched) and rrweb's replayer, as one script for the test page. */
async function bundleHarness(): Promise<string> {
  const entry = `
    import { startRecorder, getNodeId } from './packages/sdk/src/recorder.ts';
    import { createRedactionPolicy } from './packages/sdk/src/redaction.ts';
    import { Replayer } from 'rrweb';
    import { record } from '@rrweb/record';
    window.__walkTest = { startRecorder, getNodeId, createRedactionPolicy, Replayer, record };
  `;
  const out = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts' },
    bundle: true,
    format: 'iife',
    write: false,
    target: 'es2020',
    logLevel: 'error',
    plugins: [rrwebSlicing],
  });
  return out.outputFiles[0]!.text;
}

/** Builds ~`count` nodes: nested sections with text, attributes, a shadow root and a style. */
const BUILD_PAGE = `(count) => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const style = document.createElement('style');
  style.textContent = '.box { padding: 2px } .hot { color: red }';
  document.head.appendChild(style);
  let made = 0;
  let limit = count;
  const grow = (parent, depth) => {
    while (made < limit) {
      const el = document.createElement(depth % 2 ? 'section' : 'div');
      el.className = 'box';
      el.setAttribute('data-n', String(made));
      el.appendChild(document.createTextNode('text ' + made));
      parent.appendChild(el);
      made += 2;
      if (depth < 6 && rand() < 0.55) grow(el, depth + 1);
      if (rand() < 0.3) return;
    }
  };
  while (made < count) grow(document.body, 0);
  const host = document.createElement('div');
  host.id = 'host';
  document.body.appendChild(host);
  const shadow = host.attachShadow({ mode: 'open' });
  for (let i = 0; i < 50; i += 1) {
    const p = document.createElement('p');
    p.textContent = 'shadow ' + i;
    shadow.appendChild(p);
  }
  // A deeper tree inside the shadow root too.
  const deep = document.createElement('div');
  shadow.appendChild(deep);
  made = 0;
  limit = count / 4;
  while (made < limit) grow(deep, 0);
  return document.getElementsByTagName('*').length; // elements; about as many texts again
}`;

/** A canonical text of a subtree: tags, attributes (not rrweb's own), texts, shadow roots. */
const CANON = `(node) => {
  const out = [];
  const walk = (n, depth) => {
    const pad = ' '.repeat(depth);
    if (n.nodeType === 3) { out.push(pad + '#' + n.nodeValue); return; }
    if (n.nodeType !== 1) return;
    const attrs = Array.from(n.attributes).filter((a) => !a.name.startsWith('rr') && !a.name.startsWith('data-rr') && a.name !== 'autocomplete').map((a) => a.name + '=' + a.value).sort();
    out.push(pad + n.tagName.toLowerCase() + ' ' + attrs.join(' '));
    for (const c of Array.from(n.childNodes)) walk(c, depth + 1);
    if (n.shadowRoot) { out.push(pad + ' #shadow'); for (const c of Array.from(n.shadowRoot.childNodes)) walk(c, depth + 2); }
  };
  walk(node, 0);
  return out;
}`;

test('the full snapshot is taken in slices, and what it emits rebuilds the page exactly, while the page keeps changing', { timeout: 120_000 }, async (t) => {
  const harness = await bundleHarness();
  const browser = await launchChromium();
  t.after(() => browser.close());

  const openPage = async (count: number) => {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><head><title>walk</title></head><body></body></html>');
    await page.addScriptTag({ content: harness });
    const nodes = await page.evaluate(`(${BUILD_PAGE})(${count})`);
    return { page, nodes: nodes as number };
  };

  await t.test('a large page: the page runs between slices, and the keyframe equals the one-piece keyframe', async () => {
    const { page, nodes } = await openPage(20_000);
    assert.ok(nodes > 9_000, `${nodes} elements`);
    const result = await page.evaluate(`(async () => {
      const api = window.__walkTest;
      const take = (sliced) => new Promise((resolve) => {
        const events = [];
        let ticks = 0;
        let running = true;
        const tick = () => { if (!running) return; ticks += 1; setTimeout(tick, 0); };
        setTimeout(tick, 0);
        let stop = null;
        const rec = api.startRecorder({
          policy: api.createRedactionPolicy({}), canvasFps: 0, sliceSnapshot: sliced, onError: (e) => { throw e; },
          emit: (event) => {
            events.push(event);
            if (event.type === 2) {
              running = false;
              const sync = events.length === 2 && stop === null;
              // rrweb's id counter runs on across recorders: ids are compared relative to the document's
              // (and a document whose id is not 1 gets a rootId on every node).
              const base = event.data.node.id;
              const relative = ({ rootId, ...n }) => ({ ...n, id: n.id - base, childNodes: n.childNodes && n.childNodes.map(relative) });
              const snapshot = JSON.stringify(relative(event.data.node));
              setTimeout(() => { rec.stop(); resolve({ snapshot, ticksBefore: ticks, sync }); }, 0);
            }
          },
        });
        stop = rec;
      });
      const sliced = await take(true);
      const whole = await take(false);
      let d = 0; while (d < sliced.snapshot.length && sliced.snapshot[d] === whole.snapshot[d]) d += 1;
      return { diff: [sliced.snapshot.slice(Math.max(0, d - 200), d + 200), whole.snapshot.slice(Math.max(0, d - 200), d + 200)], slicedTicks: sliced.ticksBefore, wholeTicks: whole.ticksBefore, same: sliced.snapshot === whole.snapshot, slicedLength: sliced.snapshot.length, wholeLength: whole.snapshot.length };
    })()`) as { diff: string[]; slicedTicks: number; wholeTicks: number; same: boolean; slicedLength: number; wholeLength: number };
    assert.equal(result.wholeTicks, 0, 'one piece: nothing of the page runs before the keyframe');
    assert.ok(result.slicedTicks >= 3, `sliced: the page's own tasks ran ${result.slicedTicks} times before the keyframe`);
    assert.equal(result.slicedLength, result.wholeLength, JSON.stringify(result.diff));
    assert.ok(result.same, 'the sliced keyframe is the one-piece keyframe');
    await page.close();
  });

  // Each scenario changes the page at points chosen against the walk's progress (a node has an id
  // once the walk has serialized it): `visited` and `fresh` are nodes before and after that point.
  const scenarios: Record<string, string> = {
    'texts and attributes on both sides of the walk': `(s) => {
      for (const n of s.pick(20, true)) { n.firstChild && (n.firstChild.nodeValue = 'changed ' + s.i); n.setAttribute('data-x', 'v' + s.i); }
      for (const n of s.pick(20, false)) { n.firstChild && (n.firstChild.nodeValue = 'early ' + s.i); n.classList.toggle('hot'); }
    }`,
    'insertions and removals on both sides': `(s) => {
      for (const n of s.pick(5, true)) { const d = document.createElement('em'); d.textContent = 'new ' + s.i; n.appendChild(d); }
      for (const n of s.pick(5, false)) { const d = document.createElement('strong'); d.textContent = 'new ' + s.i; n.insertBefore(d, n.firstChild); }
      for (const n of s.pick(3, true)) n.remove();
      for (const n of s.pick(3, false)) n.remove();
    }`,
    'textContent replaced on parents whose children are still queued': `(s) => {
      for (const n of s.pick(10, true)) n.textContent = 'replaced ' + s.i;
    }`,
    'remove and re-insert in the same place, and moves backwards': `(s) => {
      for (const n of s.pick(5, false)) { const p = n.parentNode, next = n.nextSibling; n.remove(); p.insertBefore(n, next); }
      const [to] = s.pick(1, true);
      for (const n of s.pick(5, false)) if (to && !n.contains(to)) to.appendChild(n);
    }`,
    'wrappers built off the page and inserted': `(s) => {
      const w = document.createElement('aside');
      for (const n of s.pick(3, false)) w.appendChild(n);
      const [to] = s.pick(1, true);
      if (to) to.appendChild(w);
    }`,
    'a serialized node moved forward (the walk finishes in one piece)': `(s) => {
      const [from] = s.pick(1, true);
      const [to] = s.pick(1, false);
      if (from && to && !from.contains(to) && from !== document.body) to.appendChild(from);
    }`,
    'wrappers inside the shadow root, and moves within it': `(s) => {
      for (const e of s.pickShadow(3, true).concat(s.pickShadow(3, false))) {
        const parent = e.parentNode, next = e.nextSibling;
        const w = document.createElement('article');
        w.className = 'wrapper';
        w.append(e);
        parent.insertBefore(w, next);
      }
      const [to] = s.pickShadow(1, true);
      for (const n of s.pickShadow(3, false)) if (to && !n.contains(to)) to.appendChild(n);
    }`,
    // rrweb 2.1.6 itself dropped the wrapped node here (the replica showed an empty wrapper),
    // walk or not; rrweb-slicing.mjs fixes it ('a moved node whose parent is new').
    'a node wrapped, then the wrapper moved with its parent': `(s) => {
      for (const e of s.pick(3, true)) {
        const parent = e.parentNode;
        const grand = parent && parent.parentNode;
        if (!grand || parent === document.body || grand === document) continue;
        const w = document.createElement('article');
        w.className = 'wrapper';
        parent.insertBefore(w, e);
        w.append(e);
        grand.insertBefore(parent, grand.firstChild);
      }
    }`,
    'the shadow root changes': `(s) => {
      const shadow = document.getElementById('host').shadowRoot;
      const p = document.createElement('p'); p.textContent = 'shadow new ' + s.i; shadow.appendChild(p);
      shadow.firstChild && shadow.firstChild.remove();
      if (shadow.children[3]) shadow.children[3].textContent = 'shadow changed ' + s.i;
    }`,
  };

  for (const [name, change] of Object.entries(scenarios)) {
    await t.test(name, async () => {
      const { page } = await openPage(12_000);
      const result = await page.evaluate(`(async () => {
        const api = window.__walkTest;
        const change = ${change};
        const all = () => Array.from(document.body.querySelectorAll('div,section,em,strong,aside'));
        let i = 0;
        const state = {
          get i() { return i; },
          pickShadow(count, visited) {
            const shadow = document.getElementById('host').shadowRoot;
            const pool = Array.from(shadow.querySelectorAll('div,section,article')).filter((n) => (api.getNodeId(n) !== -1) === visited);
            const picked = [];
            for (let k = 0; k < count && pool.length; k += 1) picked.push(pool.splice((k * 7919 + i * 104729) % pool.length, 1)[0]);
            return picked;
          },
          pick(count, visited) {
            const pool = all().filter((n) => (api.getNodeId(n) !== -1) === visited);
            const picked = [];
            for (let k = 0; k < count && pool.length; k += 1) picked.push(pool.splice((k * 7919 + i * 104729) % pool.length, 1)[0]);
            return picked;
          },
        };
        const events = [];
        let walking = true;
        let changes = 0;
        const churn = () => {
          if (!walking) return;
          i += 1;
          change(state);
          changes += 1;
          setTimeout(churn, 0);
        };
        setTimeout(churn, 0);
        const rec = api.startRecorder({
          policy: api.createRedactionPolicy({}), canvasFps: 0, sliceSnapshot: true, onError: (e) => console.error(e),
          emit: (event) => { events.push(JSON.parse(JSON.stringify(event))); if (event.type === 2) walking = false; },
        });
        while (walking) await new Promise((r) => setTimeout(r, 20));
        // One more round of changes after the keyframe, then let rrweb emit them.
        change(state);
        await new Promise((r) => setTimeout(r, 100));
        rec.stop();
        const full = events.find((e) => e.type === 2);
        const ids = [];
        const collect = (n) => { ids.push(n.id); for (const c of n.childNodes || []) collect(c); };
        collect(full.data.node);
        const duplicates = ids.length - new Set(ids).size;
        const container = document.createElement('div');
        container.setAttribute('data-rr-ignore', '');
        document.documentElement.appendChild(container);
        const replayer = new api.Replayer(events, { root: container, showWarning: false, mouseTail: false, triggerFocus: false });
        replayer.pause(events[events.length - 1].timestamp - events[0].timestamp + 1);
        const replica = replayer.iframe.contentDocument.body;
        const canon = ${CANON};
        const live = canon(document.body);
        const rebuilt = canon(replica);
        container.remove();
        let firstDiff = -1;
        for (let k = 0; k < Math.max(live.length, rebuilt.length); k += 1) if (live[k] !== rebuilt[k]) { firstDiff = k; break; }
        return { changes, duplicates, firstDiff, live: live.length, rebuilt: rebuilt.length,
          around: firstDiff < 0 ? null : { live: live.slice(Math.max(0, firstDiff - 3), firstDiff + 3), rebuilt: rebuilt.slice(Math.max(0, firstDiff - 3), firstDiff + 3) } };
      })()`) as { changes: number; duplicates: number; firstDiff: number; live: number; rebuilt: number; around: unknown };
      // A forward move makes the walk finish in one piece at its next slice: one change, then the keyframe.
      assert.ok(result.changes >= 1, `the page changed ${result.changes} times while the walk ran`);
      assert.equal(result.duplicates, 0, 'no id twice in the keyframe');
      assert.equal(result.firstDiff, -1, `replica differs from the page at line ${result.firstDiff}: ${JSON.stringify(result.around, null, 1)}`);
      assert.equal(result.rebuilt, result.live);
      await page.close();
    });
  }
});

// rrweb 2.1.6 lost nodes when its mutation buffers held changes across tasks (a wrapped node
// whose wrapper's ancestor then moved; a node whose earlier move was undone): the replica showed
// empty wrappers. rrweb-slicing.mjs patches both; the walk holds changes exactly this way.
test('rrweb, holding a page\'s changes across tasks, rebuilds the page exactly (two rrweb bugs patched)', { timeout: 120_000 }, async (t) => {
  const harness = await bundleHarness();
  const browser = await launchChromium();
  t.after(() => browser.close());
  const fixture = (await readFile(new URL('./fixtures/snapshot-churn.html', import.meta.url), 'utf8')).replace(/<script src="__SERVER__[^>]*><\/script>/, '');
  for (const seed of [1, 2]) {
    const page = await browser.newPage();
    await page.setContent(fixture);
    await page.addScriptTag({ content: harness });
    const result = await page.evaluate(`(async () => {
      const api = window.__walkTest;
      const events = [];
      let keyframe = false;
      const stop = api.record({ emit: (event) => { events.push(JSON.parse(JSON.stringify(event))); if (event.type === 2) keyframe = true; } });
      while (!keyframe) await new Promise((r) => setTimeout(r, 5));
      api.record.freezePage(); // the buffers hold every change until the next non-mutation event
      window.startChurn({ seed: ${seed}, batches: 300, gapMs: 1 });
      while (!window.churnDone) await new Promise((r) => setTimeout(r, 20));
      api.record.addCustomEvent('release', {});
      await new Promise((r) => setTimeout(r, 100));
      stop();
      const container = document.createElement('div');
      container.setAttribute('data-rr-ignore', '');
      document.documentElement.appendChild(container);
      const replayer = new api.Replayer(events, { root: container, showWarning: false, mouseTail: false, triggerFocus: false });
      replayer.pause(Math.max(...events.map((e) => e.timestamp)) - events[0].timestamp + 1);
      const replica = replayer.iframe.contentDocument;
      container.remove();
      // The changing part of the page, without styles (rrweb rewrites CSS text).
      const canon = ${CANON};
      const changing = (doc) => {
        const shadow = doc.getElementById('shadow-host').shadowRoot;
        for (const n of [...doc.querySelectorAll('style'), ...shadow.querySelectorAll('style')]) n.remove();
        return [...canon(doc.getElementById('churn-root')), ...canon(doc.getElementById('shadow-host'))];
      };
      const live = changing(document);
      const rebuilt = changing(replica);
      let firstDiff = -1;
      for (let k = 0; k < Math.max(live.length, rebuilt.length); k += 1) if (live[k] !== rebuilt[k]) { firstDiff = k; break; }
      return { stats: window.churnStats, lines: live.length, firstDiff,
        around: firstDiff < 0 ? null : { live: live.slice(Math.max(0, firstDiff - 3), firstDiff + 3), rebuilt: rebuilt.slice(Math.max(0, firstDiff - 3), firstDiff + 3) } };
    })()`) as { stats: Record<string, number>; lines: number; firstDiff: number; around: unknown };
    assert.ok(result.lines > 30_000 && (result.stats.wrap ?? 0) > 20, `a large page, wrapped often: ${JSON.stringify(result.stats)}`);
    assert.equal(result.firstDiff, -1, `seed ${seed}: the replica differs from the page at line ${result.firstDiff}: ${JSON.stringify(result.around, null, 1)}`);
    await page.close();
  }
});
