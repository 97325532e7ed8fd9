/**
 * The remote-control executor in a real browser, on a plain form page and on a React page with
 * controlled inputs: typing reaches the framework's state, select/check/submit work, keys do
 * what a browser does, and redacted fields, vanished nodes and foreign origins are refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { ControlAction } from '@samepage/protocol';
import type { ActionResult } from './control-executor.ts';
import { bundleForPage, launchChromium } from './test-support/browser.ts';

const HARNESS = `
  import { executeAction } from './control-executor.ts';
  import { createRedactionPolicy } from './redaction.ts';
  const nodes = new Map<number, Node>([[1, document]]);
  let next = 2;
  const policy = createRedactionPolicy({ redact: ['.account'], block: [], allow: [] });
  (window as any).__exec = {
    /** Gives the element a mirror-like id, as the recorder would. */
    idOf(selector: string): number {
      const el = document.querySelector(selector);
      if (!el) throw new Error('no ' + selector);
      for (const [id, n] of nodes) if (n === el) return id;
      nodes.set(next, el);
      return next++;
    },
    run(action: unknown, navigation = { allowed: true, origins: ['self'] }) {
      return executeAction(action as never, { policy, getNode: (id) => nodes.get(id) ?? null, navigation, stillAllowed: () => true, defer: () => undefined });
    },
  };
`;

const PLAIN = `<!doctype html><html><body style="height:3000px">
  <form id="f" onsubmit="event.preventDefault(); window.__submitted = (window.__submitted || 0) + 1">
    <input id="name" name="name"><textarea id="notes"></textarea>
    <input id="pw" type="password"><input id="card" name="cardNumber">
    <input id="ro" readonly value="fixed"><div class="account"><input id="acct"></div>
    <select id="size"><option>S</option><option>M</option><option>L</option></select>
    <input id="agree" type="checkbox"><button id="go">Go</button>
  </form>
  <a id="away" href="https://evil.test/">away</a>
  <div id="box" style="height:100px;overflow:auto"><div style="height:1000px">tall</div></div>
  <button id="gone">soon gone</button>
</body></html>`;

const REACT_APP = `
  import React, { useState } from 'react';
  import { createRoot } from 'react-dom/client';
  const h = React.createElement;
  function App() {
    const [name, setName] = useState('');
    const [size, setSize] = useState('S');
    const [agree, setAgree] = useState(false);
    const [sent, setSent] = useState('');
    return h('form', { onSubmit: (e: any) => { e.preventDefault(); setSent(name + '/' + size + '/' + agree); } },
      h('input', { id: 'name', value: name, onChange: (e: any) => setName(e.target.value.toUpperCase()) }),
      h('select', { id: 'size', value: size, onChange: (e: any) => setSize(e.target.value) }, h('option', null, 'S'), h('option', null, 'M'), h('option', null, 'L')),
      h('input', { id: 'agree', type: 'checkbox', checked: agree, onChange: (e: any) => setAgree(e.target.checked) }),
      h('button', { id: 'go' }, 'Send'),
      h('output', { id: 'state' }, name + '|' + size + '|' + agree),
      h('output', { id: 'sent' }, sent));
  }
  createRoot(document.getElementById('root')!).render(h(App));
`;

declare global {
  interface Window {
    __exec: { idOf(selector: string): number; run(action: ControlAction, navigation?: { allowed: boolean; origins: string[] }): Promise<ActionResult> };
    __submitted?: number;
  }
}

async function bundleReact(): Promise<string> {
  const result = await build({
    stdin: { contents: REACT_APP, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'tsx', sourcefile: 'app.tsx' },
    bundle: true,
    format: 'iife',
    write: false,
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

describe('control executor', () => {
  let browser: Browser;
  let harness: string;
  let reactApp: string;
  before(async () => {
    [browser, harness, reactApp] = await Promise.all([launchChromium(), bundleForPage(HARNESS), bundleReact()]);
  });
  after(async () => browser?.close());

  const open = async (html: string, extra = ''): Promise<Page> => {
    const page = await browser.newPage();
    await page.setContent(html);
    await page.addScriptTag({ content: 'window.__name = window.__name || function (f) { return f; };\n' + harness });
    if (extra) await page.addScriptTag({ content: extra });
    return page;
  };
  const target = async (page: Page, selector: string) => {
    const id = await page.evaluate((s) => window.__exec.idOf(s), selector);
    return { id, x: 0, y: 0 };
  };
  const run = (page: Page, action: ControlAction, navigation?: { allowed: boolean; origins: string[] }) =>
    page.evaluate(([a, n]) => window.__exec.run(a, n ?? undefined), [action, navigation ?? null] as const);

  test('plain page: type, keys, select, check, scroll, submit', async () => {
    const page = await open(PLAIN);
    const events: string[] = await page.evaluate(() => {
      const log: string[] = [];
      for (const t of ['keydown', 'beforeinput', 'input', 'keyup', 'change']) document.getElementById('name')!.addEventListener(t, () => log.push(t));
      (window as unknown as { __log: string[] }).__log = log;
      return log;
    });
    assert.deepEqual(events, []);
    assert.deepEqual(await run(page, { kind: 'type', target: await target(page, '#name'), text: 'Ann' }), { ok: true });
    assert.equal(await page.inputValue('#name'), 'Ann');
    const log = await page.evaluate(() => (window as unknown as { __log: string[] }).__log);
    assert.deepEqual(log.slice(0, 4), ['keydown', 'beforeinput', 'input', 'keyup']);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'name');
    await run(page, { kind: 'key', target: await target(page, '#name'), key: 'Backspace' });
    await run(page, { kind: 'key', target: await target(page, '#name'), key: 'ArrowLeft' });
    await run(page, { kind: 'type', target: await target(page, '#name'), text: 'x' });
    assert.equal(await page.inputValue('#name'), 'Axn', 'Backspace deleted, ArrowLeft moved the caret');
    await run(page, { kind: 'key', target: await target(page, '#name'), key: 'Tab' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'notes');
    await run(page, { kind: 'key', target: await target(page, '#notes'), key: 'Tab', shift: true });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'name');
    assert.deepEqual(await run(page, { kind: 'select', target: await target(page, '#size'), index: 2 }), { ok: true });
    assert.equal(await page.inputValue('#size'), 'L');
    assert.deepEqual(await run(page, { kind: 'check', target: await target(page, '#agree'), checked: true }), { ok: true });
    assert.equal(await page.isChecked('#agree'), true);
    await run(page, { kind: 'scroll', target: { id: 1, x: 0, y: 0 }, scrollX: 0, scrollY: 500 });
    assert.equal(await page.evaluate(() => window.scrollY), 500);
    await run(page, { kind: 'scroll', target: await target(page, '#box'), scrollX: 0, scrollY: 300 });
    assert.equal(await page.evaluate(() => document.getElementById('box')!.scrollTop), 300);
    await run(page, { kind: 'key', target: await target(page, '#name'), key: 'Enter' });
    assert.equal(await page.evaluate(() => window.__submitted), 1, 'Enter in a field submits like a browser');
    await run(page, { kind: 'submit', target: await target(page, '#notes') });
    assert.equal(await page.evaluate(() => window.__submitted), 2);
    await page.close();
  });

  test('refuses redacted and read-only fields, vanished nodes and foreign origins', async () => {
    const page = await open(PLAIN);
    for (const sel of ['#pw', '#card', '#acct']) {
      const r = await run(page, { kind: 'type', target: await target(page, sel), text: 'secret' });
      assert.equal(r.failure, 'redacted_field', sel);
      assert.equal(await page.inputValue(sel), '', `${sel} untouched`);
    }
    assert.equal((await run(page, { kind: 'key', target: await target(page, '#pw'), key: 'Backspace' })).failure, 'redacted_field');
    assert.equal((await run(page, { kind: 'type', target: await target(page, '#ro'), text: 'x' })).failure, 'not_editable');
    assert.equal((await run(page, { kind: 'type', target: await target(page, '#go'), text: 'x' })).failure, 'not_editable');
    const gone = await target(page, '#gone');
    await page.evaluate(() => document.getElementById('gone')!.remove());
    assert.equal((await run(page, { kind: 'click', target: { ...gone, x: 5, y: 2990 } })).failure, 'node_gone');
    const nav = await run(page, { kind: 'navigate', to: 'url', url: 'https://evil.test/' }, { allowed: true, origins: ['self'] });
    assert.equal(nav.failure, 'origin_not_allowed');
    assert.equal((await run(page, { kind: 'navigate', to: 'reload' }, { allowed: false, origins: [] })).failure, 'origin_not_allowed');
    assert.equal((await run(page, { kind: 'click', target: await target(page, '#away') })).failure, 'origin_not_allowed');
    await page.close();
  });

  test('falls back to the point when the id is unknown', async () => {
    const page = await open(PLAIN);
    const box = await page.locator('#agree').boundingBox();
    assert.ok(box);
    const r = await run(page, { kind: 'click', target: { id: null, x: box.x + box.width / 2, y: box.y + box.height / 2 } });
    assert.deepEqual(r, { ok: true });
    assert.equal(await page.isChecked('#agree'), true);
    await page.close();
  });

  test('React controlled inputs: typing, select, check and submit update React state', async () => {
    const page = await open('<!doctype html><html><body><div id="root"></div></body></html>', reactApp);
    await page.locator('#state').waitFor();
    await run(page, { kind: 'type', target: await target(page, '#name'), text: 'ann' });
    await run(page, { kind: 'select', target: await target(page, '#size'), index: 1 });
    await run(page, { kind: 'check', target: await target(page, '#agree'), checked: true });
    await page.waitForFunction(() => document.getElementById('state')?.textContent === 'ANN|M|true');
    assert.equal(await page.inputValue('#name'), 'ANN', "React's onChange ran for every character");
    await run(page, { kind: 'key', target: await target(page, '#name'), key: 'Enter' });
    await page.waitForFunction(() => document.getElementById('sent')?.textContent === 'ANN/M/true');
    await run(page, { kind: 'check', target: await target(page, '#agree'), checked: false });
    await page.waitForFunction(() => document.getElementById('state')?.textContent === 'ANN|M|false');
    await page.close();
  });
});
