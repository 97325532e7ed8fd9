import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { bundleForPage, launchChromium, openFixture } from './test-support/browser.ts';
import { MASKED_TEXT, MASKED_VALUE } from './redaction.ts';

const FIXTURE = `<!doctype html><html><body>
  <form>
    <input id="email" name="email" value="ann@example.com">
    <input id="password" type="password" value="hunter2">
    <input id="otp" autocomplete="one-time-code" value="123456">
    <input id="ccnum" autocomplete="cc-number" value="4242424242424242" data-samepage-allow>
    <input id="cardNumber" name="cardNumber" value="4242424242424242" data-samepage-allow>
    <input id="cvc" placeholder="CVC" value="123" data-samepage-allow>
    <input id="expiry" aria-label="Expiry date (MM/YY)" value="12/29" data-samepage-allow>
    <input id="exp-month" name="exp_month" value="12" data-samepage-allow>
    <input id="business" name="businessName" value="Acme" data-samepage-allow>
    <input id="search" type="search" value="blue shoes" data-samepage-allow>
    <div data-samepage-allow><input id="nested-allow" name="city" value="Paris"><input id="nested-pw" type="password" value="x"></div>
    <select id="country"><option selected>France</option></select>
    <select id="plan" name="plan"><option id="plan-basic">Basic</option><option id="plan-premium" selected>Premium</option></select>
    <div data-samepage-allow>
      <select id="size" name="size"><option id="size-s">S</option><option id="size-m">M</option><option id="size-l" selected>L</option></select>
      <select id="colours" multiple><option id="c-red" selected>Red</option><option id="c-green">Green</option><option id="c-blue" selected>Blue</option></select>
      <select id="secret-pick" data-samepage-redact><option id="secret-a">A</option><option id="secret-b" selected>B</option></select>
    </div>
    <textarea id="notes">private notes</textarea>
    <input id="hidden" type="hidden" value="csrf-token-123">
    <input id="agree" type="checkbox" value="yes">
  </form>
  <div id="account" data-samepage-redact title="Account of Ann"><p id="iban">FR76 3000 6000 0112</p>
    <input id="inside-redact" value="abc" placeholder="Your IBAN" data-samepage-allow>
    <img id="avatar" alt="Ann Smith" src="data:,">
  </div>
  <section class="tenant-secret"><span id="tenant-text">tenant secret</span></section>
  <div id="blocked" data-samepage-block style="width:120px;height:40px">blocked secret</div>
  <p id="public">Public text</p>
  <canvas id="chart" width="40" height="20"></canvas>
  <div data-samepage-redact><canvas id="signature" width="40" height="20"></canvas></div>
</body></html>`;

const HARNESS = `
  import * as redaction from './redaction.ts';
  import { scrubEvent } from './event-scrubber.ts';
  import { startRecorder, getNodeById } from './recorder.ts';
  (window as any).__sp = { redaction, scrubEvent, startRecorder, getNodeById };
`;

declare global {
  interface Window {
    __sp: {
      redaction: typeof import('./redaction.ts');
      scrubEvent: typeof import('./event-scrubber.ts').scrubEvent;
      startRecorder: typeof import('./recorder.ts').startRecorder;
      getNodeById: typeof import('./recorder.ts').getNodeById;
    };
    __events: unknown[];
    __errors: unknown[];
  }
}

describe('redaction in a real DOM', () => {
  let browser: Browser;
  let page: Page;
  before(async () => {
    const [b, script] = await Promise.all([launchChromium(), bundleForPage(HARNESS)]);
    browser = b;
    page = await openFixture(browser, FIXTURE, script);
  });
  after(async () => {
    await browser?.close();
  });

  const decide = (rules?: { redact: string[]; block: string[]; allow: string[] }) =>
    page.evaluate((r) => {
      const policy = window.__sp.redaction.createRedactionPolicy(r);
      const out: Record<string, { sensitive: boolean; masked: boolean; text: boolean; blocked: boolean; scrub: boolean }> = {};
      for (const el of Array.from(document.querySelectorAll('[id]'))) {
        out[el.id] = {
          sensitive: policy.isSensitiveField(el),
          masked: policy.isValueMasked(el),
          text: policy.isTextRedacted(el),
          blocked: policy.isBlocked(el),
          scrub: policy.needsAttributeScrub(el),
        };
      }
      return out;
    }, rules);

  test('password, one-time-code, cc-* and card-like fields are always masked, even with data-samepage-allow', async () => {
    const d = await decide();
    for (const id of ['password', 'otp', 'ccnum', 'cardNumber', 'cvc', 'expiry', 'exp-month', 'nested-pw']) {
      assert.equal(d[id]?.sensitive, true, `${id} is sensitive`);
      assert.equal(d[id]?.masked, true, `${id} is masked`);
    }
  });

  test('every field is masked by default; data-samepage-allow on the field or an ancestor lets a harmless value through', async () => {
    const d = await decide();
    for (const id of ['email', 'country', 'notes', 'hidden']) assert.equal(d[id]?.masked, true, `${id} masked by default`);
    for (const id of ['business', 'search', 'nested-allow']) {
      assert.equal(d[id]?.sensitive, false, `${id} is not sensitive`);
      assert.equal(d[id]?.masked, false, `${id} is allowed`);
    }
  });

  test('data-samepage-redact covers descendants, wins over allow, and asks for attribute scrubbing', async () => {
    const d = await decide();
    assert.equal(d['iban']?.text, true);
    assert.equal(d['inside-redact']?.masked, true);
    assert.equal(d['avatar']?.scrub, true);
    assert.equal(d['public']?.text, false);
    assert.equal(d['blocked']?.blocked, true);
  });

  test("the site's rules from welcome add selectors, and invalid ones are ignored", async () => {
    const d = await decide({ redact: ['.tenant-secret', '!!bad'], block: ['#public'], allow: ['#email'] });
    assert.equal(d['tenant-text']?.text, true);
    assert.equal(d['public']?.blocked, true);
    assert.equal(d['email']?.masked, false);
    const rejected = await page.evaluate(() => window.__sp.redaction.createRedactionPolicy({ redact: ['!!bad'], block: [], allow: [] }).rejectedSelectors);
    assert.deepEqual(rejected, ['!!bad']);
  });

  test('a field is masked exactly when it is sensitive, redacted, blocked or outside every allow area (all combinations)', async () => {
    // isValueMasked tests the cheapest condition first (docs/PERFORMANCE.md, "Snapshot slicing"):
    // the outcome must stay the plain OR of the four, for every field, wrapper and own attribute.
    const rows = (await page.evaluate(`(() => {
      const policy = window.__sp.redaction.createRedactionPolicy({ redact: ['.r'], block: ['.b'], allow: ['.a'] });
      const fields = ['<input value="x">', '<input type="password" value="x">', '<input autocomplete="cc-number" value="x">',
        '<input name="cardNumber" value="x">', '<input type="checkbox" value="yes">', '<input type="hidden" value="x">',
        '<textarea>x</textarea>', '<select><option selected>x</option></select>'];
      const wrappers = [[], ['data-samepage-allow'], ['data-samepage-redact'], ['data-samepage-block'], ['class="a"'], ['class="r"'],
        ['class="b"'], ['data-samepage-allow', 'data-samepage-redact'], ['data-samepage-redact', 'data-samepage-allow'], ['class="a"', 'class="b"']];
      const owns = ['', 'data-samepage-allow', 'data-samepage-redact', 'data-samepage-block', 'class="a"'];
      const host = document.createElement('div');
      document.body.append(host);
      const out = [];
      for (const field of fields) for (const wrap of wrappers) for (const own of owns) {
        host.innerHTML = wrap.map((a) => '<div ' + a + '>').join('') + field.replace(/^<(\\w+)/, '<$1 ' + own) + wrap.map(() => '</div>').join('');
        const el = host.querySelector('input, textarea, select');
        const expected = policy.isSensitiveField(el) || policy.isTextRedacted(el) || policy.isBlocked(el) || el.closest(policy.allowSelector) === null;
        out.push({ html: host.innerHTML, masked: policy.isValueMasked(el), expected });
      }
      host.remove();
      return out;
    })()`)) as Array<{ html: string; masked: boolean; expected: boolean }>;
    assert.equal(rows.length, 8 * 10 * 5);
    for (const row of rows) assert.equal(row.masked, row.expected, row.html);
    // The grid does hold both outcomes, allowed fields included.
    assert.ok(rows.some((r) => !r.masked) && rows.some((r) => r.masked));
  });

  test('scrubAttributes given the area the snapshot pass already asked for returns what it returns without it', async () => {
    const rows = (await page.evaluate(`(() => {
      const { createRedactionPolicy, scrubAttributes } = window.__sp.redaction;
      const policy = createRedactionPolicy({ redact: ['.tenant-secret'], block: [], allow: [] });
      return Array.from(document.querySelectorAll('*')).map((el) => {
        const attrs = {};
        for (const a of Array.from(el.attributes)) attrs[a.name] = a.value;
        const area = { redacted: policy.isTextRedacted(el), blocked: policy.isBlocked(el) };
        return { id: el.id || el.tagName, plain: scrubAttributes(policy, el, attrs), given: scrubAttributes(policy, el, attrs, area) };
      });
    })()`)) as Array<{ id: string; plain: unknown; given: unknown }>;
    assert.ok(rows.length > 30);
    for (const row of rows) assert.deepEqual(row.given, row.plain, row.id);
    // The fixture does exercise the masking branches.
    assert.ok(rows.some((r) => JSON.stringify(r.plain).includes(MASKED_TEXT)) && rows.some((r) => JSON.stringify(r.plain).includes(MASKED_VALUE)));
  });

  test('masks are constants that do not reveal length; empty and whitespace stay as they are', async () => {
    const r = await page.evaluate(() => {
      const { maskValue, maskText } = window.__sp.redaction;
      return [maskValue('a'), maskValue('a much longer secret'), maskValue(''), maskText('x'), maskText('long text here'), maskText('  \n ')];
    });
    assert.deepEqual(r, [MASKED_VALUE, MASKED_VALUE, '', MASKED_TEXT, MASKED_TEXT, '  \n ']);
  });

  test('scrubAttributes blanks value, placeholder, title, aria-label and alt of redacted elements', async () => {
    const r = await page.evaluate(() => {
      const { createRedactionPolicy, scrubAttributes } = window.__sp.redaction;
      const policy = createRedactionPolicy();
      const q = (s: string) => document.querySelector(s)!;
      return {
        inside: scrubAttributes(policy, q('#inside-redact'), { value: 'abc', placeholder: 'Your IBAN', id: 'inside-redact' }),
        account: scrubAttributes(policy, q('#account'), { title: 'Account of Ann' }),
        avatar: scrubAttributes(policy, q('#avatar'), { alt: 'Ann Smith', src: 'data:,' }),
        password: scrubAttributes(policy, q('#password'), { value: 'hunter2', 'aria-label': 'Password for ann' }),
        email: scrubAttributes(policy, q('#email'), { value: 'ann@example.com', placeholder: 'Email' }),
        checkbox: scrubAttributes(policy, q('#agree'), { value: 'yes' }),
      };
    });
    assert.deepEqual(r.inside, { value: MASKED_VALUE, placeholder: MASKED_TEXT, id: 'inside-redact' });
    assert.deepEqual(r.account, { title: MASKED_TEXT });
    assert.deepEqual(r.avatar, { alt: MASKED_TEXT, src: 'data:,' });
    assert.deepEqual(r.password, { value: MASKED_VALUE, 'aria-label': MASKED_TEXT });
    assert.deepEqual(r.email, { value: MASKED_VALUE, placeholder: 'Email' }, 'a plain field keeps its placeholder');
    assert.deepEqual(r.checkbox, { value: 'yes' }, 'a checkbox value is a label, not typed text');
  });

  test('<select>: an allowed select keeps its selected options (single and multiple); a masked one sends neither its value nor which option is selected', async () => {
    const json = await page.evaluate(async () => {
      const { redaction, scrubEvent, startRecorder, getNodeById } = window.__sp;
      const policy = redaction.createRedactionPolicy();
      const events: unknown[] = [];
      const errors: string[] = [];
      const rec = startRecorder({
        canvasFps: 0,
        policy,
        emit: (e) => events.push(JSON.parse(JSON.stringify(scrubEvent(policy, getNodeById, e)))),
        onError: (e) => errors.push(String(e)),
      });
      const choose = (sel: string, value: string) => {
        const el = document.querySelector<HTMLSelectElement>(sel)!;
        el.value = value;
        el.dispatchEvent(new Event('change', { bubbles: true }));
      };
      choose('#plan', 'Basic');
      choose('#size', 'M');
      // A page that marks its default choice later (attribute mutation on an option).
      document.querySelector('#plan-basic')!.setAttribute('selected', '');
      await new Promise((r) => setTimeout(r, 50));
      rec?.stop();
      return JSON.stringify({ events, errors });
    });
    const { events, errors } = JSON.parse(json) as { events: Array<{ type: number; data: Record<string, unknown> }>; errors: string[] };
    assert.deepEqual(errors, []);
    const selected = new Map<string, boolean>();
    const walk = (node: { attributes?: Record<string, unknown>; childNodes?: unknown[] }) => {
      const id = node.attributes?.['id'];
      if (typeof id === 'string') selected.set(id, node.attributes?.['selected'] === true || node.attributes?.['selected'] === '');
      for (const child of node.childNodes ?? []) walk(child as typeof node);
    };
    const snapshot = events.find((e) => e.type === 2);
    assert.ok(snapshot, 'a full snapshot');
    walk(snapshot.data['node'] as Parameters<typeof walk>[0]);
    assert.equal(selected.get('size-l'), true, 'allowed single select: its choice is mirrored');
    assert.equal(selected.get('size-s'), false);
    assert.deepEqual(['c-red', 'c-green', 'c-blue'].map((id) => selected.get(id)), [true, false, true], 'allowed multiple select: every choice is mirrored');
    for (const id of ['plan-basic', 'plan-premium', 'secret-a', 'secret-b']) assert.equal(selected.get(id), false, `${id}: no selected state for a masked select`);
    const inputs = events.filter((e) => e.type === 3 && e.data['source'] === 5).map((e) => e.data['text']);
    assert.ok(inputs.includes('M'), 'a change of an allowed select is mirrored');
    assert.ok(!inputs.includes('Basic') && inputs.includes(MASKED_VALUE), 'a change of a masked select is masked');
    const optionMutations = events.filter((e) => e.type === 3 && e.data['source'] === 0).flatMap((e) => (e.data['attributes'] as Array<{ attributes: Record<string, unknown> }> | undefined) ?? []);
    assert.ok(optionMutations.every((m) => !('selected' in m.attributes)), 'no selected attribute of a masked select in mutations');
    assert.ok(!/"value":"(Premium|Basic|B|France)"/.test(json), 'no masked select value in the stream');
  });

  test('<canvas>: images are sent, except from a redacted or blocked area (keyframe and sampled frames)', async () => {
    const json = await page.evaluate(async () => {
      const { redaction, scrubEvent, startRecorder, getNodeById } = window.__sp;
      for (const id of ['chart', 'signature']) {
        const ctx = document.querySelector<HTMLCanvasElement>(`#${id}`)!.getContext('2d')!;
        ctx.fillStyle = '#c00';
        ctx.fillRect(0, 0, 40, 20);
      }
      const policy = redaction.createRedactionPolicy();
      const events: unknown[] = [];
      const rec = startRecorder({ canvasFps: 10, policy, emit: (e) => events.push(JSON.parse(JSON.stringify(scrubEvent(policy, getNodeById, e)))), onError: () => undefined });
      // Redraw both, then let the sampler (10 fps) send them.
      for (const id of ['chart', 'signature']) document.querySelector<HTMLCanvasElement>(`#${id}`)!.getContext('2d')!.fillRect(0, 0, 20, 20);
      await new Promise((r) => setTimeout(r, 800));
      rec?.stop();
      return JSON.stringify({ events });
    });
    const { events } = JSON.parse(json) as { events: Array<{ type: number; data: Record<string, unknown> }> };
    const canvases = new Map<string, { id: number; dataUrl: unknown }>();
    const walk = (node: { id: number; attributes?: Record<string, unknown>; childNodes?: unknown[] }) => {
      const id = node.attributes?.['id'];
      if (id === 'chart' || id === 'signature') canvases.set(id, { id: node.id, dataUrl: node.attributes?.['rr_dataURL'] });
      for (const child of node.childNodes ?? []) walk(child as typeof node);
    };
    walk(events.find((e) => e.type === 2)!.data['node'] as Parameters<typeof walk>[0]);
    assert.match(String(canvases.get('chart')?.dataUrl), /^data:image\//, 'an ordinary canvas is in the keyframe');
    assert.equal(canvases.get('signature')?.dataUrl, undefined, 'a redacted canvas is not');
    const frames = events.filter((e) => e.type === 3 && e.data['source'] === 9);
    const sent = (id: number | undefined) => frames.some((f) => f.data['id'] === id && Array.isArray(f.data['commands']) && f.data['commands'].length > 0);
    assert.ok(sent(canvases.get('chart')?.id), 'the sampler sends the ordinary canvas');
    assert.ok(!sent(canvases.get('signature')?.id), 'no sampled frame of the redacted canvas');
  });

  test('nothing secret reaches the recorded stream: full snapshot, typing, and mutations', async () => {
    const json = await page.evaluate(async () => {
      const { redaction, scrubEvent, startRecorder, getNodeById } = window.__sp;
      const policy = redaction.createRedactionPolicy({ redact: ['.tenant-secret'], block: [], allow: [] });
      window.__events = [];
      window.__errors = [];
      const rec = startRecorder({
        canvasFps: 0,
        policy,
        emit: (e) => window.__events.push(JSON.parse(JSON.stringify(scrubEvent(policy, getNodeById, e)))),
        onError: (e) => window.__errors.push(String(e)),
      });
      // Typing into fields, the way a person would (input events).
      const type = (sel: string, value: string) => {
        const el = document.querySelector<HTMLInputElement>(sel)!;
        el.value = value;
        el.dispatchEvent(new Event('input', { bubbles: true }));
      };
      type('#password', 'typed-password-9');
      type('#email', 'typed-email@example.com');
      type('#cardNumber', '5555444433332222');
      type('#search', 'red socks');
      // Mutations: new content in a redacted area, attribute and text changes.
      const p = document.createElement('p');
      p.textContent = 'added secret text';
      p.title = 'added secret title';
      document.querySelector('#account')!.append(p);
      document.querySelector('#iban')!.firstChild!.textContent = 'changed secret iban';
      document.querySelector('#inside-redact')!.setAttribute('placeholder', 'new secret placeholder');
      const late = document.createElement('input');
      late.type = 'password';
      late.setAttribute('value', 'late-password-value');
      document.body.append(late);
      await new Promise((r) => setTimeout(r, 50));
      rec?.stop();
      return JSON.stringify({ events: window.__events, errors: window.__errors });
    });
    const { events, errors } = JSON.parse(json) as { events: unknown[]; errors: string[] };
    assert.deepEqual(errors, []);
    assert.ok(events.length >= 3, 'recorded a snapshot and changes');
    for (const secret of [
      'ann@example.com', 'hunter2', '123456', '4242424242424242', '12/29', 'private notes', 'csrf-token-123',
      'FR76', 'Your IBAN', 'Account of Ann', 'Ann Smith', 'tenant secret', 'blocked secret',
      'typed-password-9', 'typed-email', '5555444433332222', 'added secret', 'changed secret', 'new secret placeholder', 'late-password-value',
    ]) {
      assert.ok(!json.includes(secret), `"${secret}" must not leave the tab`);
    }
    assert.ok(json.includes('red socks'), 'an allowed field is visible');
    assert.ok(json.includes('Public text'), 'ordinary text is visible');
    assert.ok(json.includes(MASKED_VALUE) && json.includes(MASKED_TEXT), 'masks are present');
  });
});
