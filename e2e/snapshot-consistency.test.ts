/**
 * A keyframe taken while the page keeps changing is exactly right (docs/PERFORMANCE.md,
 * "Snapshot slicing"). The fixture (e2e/fixtures/snapshot-churn.html, ~42k nodes) mutates itself
 * in every way a DOM can change, a small batch in each task, one task every millisecond or few,
 * while the customer's tab takes keyframes: the first one when the session starts, then two the
 * relay asks for mid-churn (the last one under a churn with no moves to later places, which a
 * sliced walk can follow without falling back to one piece). After each churn, once the stream
 * has caught up, the replica must equal the customer's page node for node (a change lost or
 * applied twice shows up as a difference), and no mirror id may be used by two replica nodes.
 *
 * SNAPSHOT_CONSISTENCY_SDK_DIST=<dir> serves the customer's SDK from another build of
 * packages/sdk (e.g. one with a deliberate bug, to see this test fail) instead of the server's.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { createUser, openConsole, openCustomer, withBrowser } from './support/collab.ts';
import type { ConsolePage } from './support/console-page.ts';
import type { CustomerPage } from './support/customer-page.ts';
import { startFixtureSite } from './support/fixture-site.ts';
import { tapSentFrames, type FrameTap } from './support/frame-tap.ts';
import { socketUrl, withServer, type TestServer } from './support/server.ts';
import { openSocket } from './support/socket-client.ts';

/** What e2e/fixtures/snapshot-churn.html puts on `window`. */
interface ChurnWindow extends Window {
  fixtureReady?: boolean;
  fixtureNodes(): number;
  startChurn(options: { seed: number; batches: number; gapMs?: number; forward?: boolean }): void;
  churnDone?: boolean;
  churnStats?: Record<string, number>;
  churnWindow?: { start: number; end: number };
  churnErrors?: string[];
}

interface ReplicaHookLike {
  document(): Document | null;
  stats(): { epoch: number | null; keyframes: number; resyncs: number } | null;
  idOf(node: Node): number;
}
type ConsoleWindow = Window & { __samepageReplica?: ReplicaHookLike };

/** Batches of 1–4 changes, one per millisecond at most: a few seconds of churn. */
const BATCHES = 1000;
/** How long the replica may take to show changes the SDK held back (well above its quiet-release delay). */
const CONVERGE_MS = 10_000;

test('keyframes taken while the page mutates without pause reach the replica exactly: every change once, none lost, no id twice', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const fixtures = await startFixtureSite(t, server);
  const agentUser = await createUser(server, 'senior_agent', 'Sam Rivera');
  const customer = await openCustomer(browser);
  await serveSdkFrom(customer.page, server, process.env.SNAPSHOT_CONSISTENCY_SDK_DIST);
  const tap = tapSentFrames(customer.page);
  const agent = await openConsole(browser, server, agentUser);
  const page = customer.page;

  await customer.open(fixtures.url('/snapshot-churn.html'));
  await page.waitForFunction(() => (window as unknown as ChurnWindow).fixtureReady === true);
  t.diagnostic(`the fixture has ${await page.evaluate(() => (window as unknown as ChurnWindow).fixtureNodes())} nodes`);

  // 1. The session starts (and takes its first keyframe) while the page churns; the agent joins
  //    during the churn too, from the relay's cache (that keyframe and the deltas after it).
  await page.evaluate((batches) => (window as unknown as ChurnWindow).startChurn({ seed: 1, batches }), BATCHES);
  const code = await customer.startSession();
  await agent.join(code);
  const first = await finishChurn(customer, agent, 'first');
  first.reads = await assertReplicaEqualsPage(customer, agent, 'after the first churn');
  const firstEpoch = await assertBuiltFromKeyframeUnderChurn(agent, tap, first, 'the session’s first keyframe');

  // 2. A keyframe the relay asks for mid-churn: a second viewer's keyframe_request is answered
  //    from the cache, a second one within 10 s by asking the customer's tab for a fresh keyframe.
  await agent.button('Invite a colleague').click();
  const invite = /\d{6}/.exec((await agent.page.getByTestId('invite-code').textContent()) ?? '')?.[0];
  assert.ok(invite, 'the console shows an invite code');
  const viewer = await openSocket(socketUrl(server), { origin: server.url, cookie: await agent.sessionCookie() });
  t.after(() => viewer.close());
  viewer.send({ type: 'agent_hello', v: 1 });
  await viewer.next('welcome');
  viewer.send({ type: 'join', code: invite });
  await viewer.next('joined');

  const requested = async (seed: number, forward: boolean, name: string): Promise<{ span: ChurnSpan; epoch: number }> => {
    await page.evaluate((options) => (window as unknown as ChurnWindow).startChurn(options), { seed, batches: BATCHES, forward });
    viewer.send({ type: 'keyframe_request' });
    viewer.send({ type: 'keyframe_request' });
    const span = await finishChurn(customer, agent, name);
    span.reads = await assertReplicaEqualsPage(customer, agent, `after the ${name} churn`);
    return { span, epoch: await assertBuiltFromKeyframeUnderChurn(agent, tap, span, `the keyframe asked for during the ${name} churn`) };
  };
  const second = await requested(2, true, 'second');
  assert.ok(second.epoch > firstEpoch, `the replica was rebuilt from a new keyframe (epoch ${firstEpoch}, then ${second.epoch})`);

  // 3. The same without moves to later places: nothing forces a sliced walk to fall back to one
  //    piece, so it must itself judge every change made while it runs.
  const third = await requested(3, false, 'third');
  assert.ok(third.epoch > second.epoch, `the replica was rebuilt from a new keyframe (epoch ${second.epoch}, then ${third.epoch})`);

  const stats = await agent.page.evaluate(() => (window as ConsoleWindow).__samepageReplica?.stats() ?? null);
  t.diagnostic(`changes made: ${JSON.stringify(await page.evaluate(() => (window as unknown as ChurnWindow).churnStats))}`);
  t.diagnostic(`keyframes sent by the tab: ${tap.decode().keyframes}; console decoder: ${JSON.stringify(stats)}`);
  // The longest the churn loop waited for the page: a snapshot taken in one piece blocks it for its whole walk.
  for (const [i, span] of [first, second.span, third.span].entries()) t.diagnostic(`churn ${i + 1}: ${span.end - span.start} ms, longest pause ${span.longestPauseMs} ms, replica read ${span.reads} times until it matched`);
});

interface ChurnSpan {
  start: number;
  end: number;
  longestPauseMs: number;
  /** How many times the replica was read until it matched the page. */
  reads?: number;
}

/** Waits until the fixture has made all its changes, then until the replica has every one of them. */
async function finishChurn(customer: CustomerPage, agent: ConsolePage, name: string): Promise<ChurnSpan> {
  await customer.page.waitForFunction(() => (window as unknown as ChurnWindow).churnDone === true, null, { timeout: 30_000 });
  const span = await customer.page.evaluate(() => {
    const w = window as unknown as ChurnWindow;
    return { ...w.churnWindow!, longestPauseMs: w.churnStats?.longestPauseMs ?? -1, errors: w.churnErrors ?? [] };
  });
  assert.deepEqual(span.errors, [], 'the fixture made its changes without errors');
  // The DOM stream is ordered: once the replica shows the marker, it has everything before it.
  const marker = `the ${name} churn is over`;
  await customer.addMarker(marker);
  await agent.waitForReplicaText(marker, { timeout: 20_000 });
  return span;
}

/**
 * Changes far below the fold may reach the replica up to a second after the page went quiet
 * (packages/sdk/src/offscreen-deferral.ts), so the replica is read until it matches, for a while.
 * Late is allowed; lost or doubled is not: the page no longer changes, so the replica can only
 * converge if nothing is missing or extra (and it stands on the churn's keyframe, checked after).
 */
async function assertReplicaEqualsPage(customer: CustomerPage, agent: ConsolePage, when: string): Promise<number> {
  const page = await customer.page.evaluate(canonicalDom, 'page' as const);
  assert.ok(page && page.length > 1000, `the fixture's root is on the customer's page (${when})`);
  const until = Date.now() + CONVERGE_MS;
  let reads = 0;
  for (;;) {
    reads++;
    const replica = await agent.page.evaluate(canonicalDom, 'replica' as const);
    assert.ok(replica, `the replica has the fixture's root (${when})`);
    const diff = firstDifference(page, replica);
    if (!diff) break;
    if (Date.now() > until) {
      // What the console decoded (epoch, keyframes, resyncs), for telling a lost delta from a bad keyframe.
      const stats = await agent.page.evaluate(() => (window as ConsoleWindow).__samepageReplica?.stats() ?? null);
      assert.fail(`the replica differs from the customer's page ${when} (still ${CONVERGE_MS} ms after the churn):\n${diff}\n  console decoder: ${JSON.stringify(stats)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  const ids = await agent.page.evaluate(replicaIds);
  assert.ok(ids, 'the replica test hook is there');
  assert.ok(ids.checked > page.length, `ids were read (${ids.checked} nodes)`);
  assert.deepEqual(ids.duplicates, [], `no mirror id is used by two replica nodes (${when})`);
  return reads;
}

/**
 * The replica must stand on a keyframe whose full snapshot was taken while the page churned:
 * otherwise a later, still keyframe would hide what this test is about. Returns its epoch.
 */
async function assertBuiltFromKeyframeUnderChurn(agent: ConsolePage, tap: FrameTap, span: { start: number; end: number }, what: string): Promise<number> {
  const stats = await agent.page.evaluate(() => (window as ConsoleWindow).__samepageReplica?.stats() ?? null);
  assert.ok(stats && stats.epoch !== null, 'the console decoded a keyframe');
  const taken = tap.decode().keyframePayloads.map(({ epoch, text }) => ({ epoch, at: fullSnapshotTime(text) }));
  const current = taken.find((k) => k.epoch === stats.epoch);
  assert.ok(current, `the tap saw the keyframe of epoch ${stats.epoch} (saw ${JSON.stringify(taken)})`);
  assert.ok(
    current.at !== null && current.at > span.start && current.at < span.end,
    `${what} (epoch ${stats.epoch}, full snapshot at ${current.at}) was taken while the page churned (${span.start}–${span.end})`,
  );
  return stats.epoch;
}

/** rrweb's FullSnapshot (type 2) timestamp in a keyframe's payload (a plain event array). */
function fullSnapshotTime(text: string): number | null {
  try {
    const events = JSON.parse(text) as Array<{ type?: number; timestamp?: number }>;
    return events.find((e) => e.type === 2)?.timestamp ?? null;
  } catch {
    return null;
  }
}

/** Where two canonical serializations first part, with a little context; null when equal. */
function firstDifference(page: readonly string[], replica: readonly string[]): string | null {
  const n = Math.max(page.length, replica.length);
  for (let i = 0; i < n; i++) {
    if (page[i] === replica[i]) continue;
    const context = page.slice(Math.max(0, i - 2), i).map((line) => `    ${line}`);
    return [
      `  ${page.length} nodes on the page, ${replica.length} in the replica; first difference at node #${i}, after:`,
      ...context,
      `  page:    ${page[i] ?? '(nothing more)'}`,
      `  replica: ${replica[i] ?? '(nothing more)'}`,
    ].join('\n');
  }
  return null;
}

/**
 * The fixture's root (#churn-root) as one line per node, depth first, shadow roots included:
 * `path description`, where the path names each node by tag and place among its parent's
 * (canonical) children. Leaves out what rrweb and the console legitimately change: `rr_*`
 * attributes, field values and checked/selected state (masked or kept as properties), the
 * `autocomplete` rrweb sets on fields, the console's state classes (`:hover`, `samepage-blocked`),
 * the text of <style> (rebuilt from the CSSOM) and of <textarea> (its masked value). The style
 * attribute is compared through the CSSOM, sorted. Text is whitespace-collapsed, adjacent text
 * nodes merged, empty ones dropped.
 *
 * Runs in either page: self-contained, no inner named functions (tsx would wrap them in a
 * helper the page lacks).
 */
function canonicalDom(where: 'page' | 'replica'): string[] | null {
  const doc = where === 'replica' ? ((window as ConsoleWindow).__samepageReplica?.document() ?? null) : document;
  const root = doc?.getElementById('churn-root');
  if (!root) return null;
  const lines: string[] = [];
  type Item = { node: Node; path: string } | { text: string; path: string };
  const stack: Item[] = [{ node: root, path: 'main#churn-root' }];
  while (stack.length) {
    const item = stack.pop()!;
    if ('text' in item) {
      lines.push(`${item.path} ${JSON.stringify(item.text)}`);
      continue;
    }
    const node = item.node;
    if (node.nodeType === 8) {
      lines.push(`${item.path} <!--${(node as Comment).data.replace(/\s+/g, ' ').trim()}-->`);
      continue;
    }
    let tag = '#shadow-root';
    if (node.nodeType === 1) {
      const el = node as HTMLElement;
      tag = el.localName;
      const attrs: string[] = [];
      for (const attr of Array.from(el.attributes)) {
        const name = attr.name;
        if (name.startsWith('rr_') || name === 'value' || name === 'checked' || name === 'selected') continue;
        if (name === 'autocomplete' && (tag === 'input' || tag === 'textarea')) continue;
        let value = attr.value;
        if (name === 'class') {
          value = value
            .split(/\s+/)
            .filter((c) => c && !c.startsWith(':') && c !== 'samepage-blocked')
            .sort()
            .join(' ');
          if (!value) continue;
        } else if (name === 'style') {
          const declarations: string[] = [];
          for (let i = 0; i < el.style.length; i++) {
            const property = el.style.item(i);
            declarations.push(`${property}: ${el.style.getPropertyValue(property)}${el.style.getPropertyPriority(property) ? ' !important' : ''}`);
          }
          value = declarations.sort().join('; ');
          if (!value) continue;
        }
        attrs.push(`${name}=${JSON.stringify(value)}`);
      }
      lines.push(`${item.path} <${tag}${attrs.length ? ' ' + attrs.sort().join(' ') : ''}>`);
    } else {
      lines.push(`${item.path} #shadow-root`);
    }
    const children: Item[] = [];
    const shadow = node.nodeType === 1 ? (node as Element).shadowRoot : null;
    if (shadow) children.push({ node: shadow, path: `${item.path}/#shadow` });
    const keepText = tag !== 'style' && tag !== 'script' && tag !== 'textarea';
    let text = '';
    let index = 0;
    const kids = Array.from(node.childNodes);
    for (let i = 0; i <= kids.length; i++) {
      const child = kids[i];
      if (child && (child.nodeType === 3 || child.nodeType === 4)) {
        if (keepText) text += (child as Text).data;
        continue;
      }
      const normalized = text.replace(/\s+/g, ' ').trim();
      text = '';
      if (normalized) children.push({ text: normalized, path: `${item.path}/#text:${index++}` });
      if (!child || (child.nodeType !== 1 && child.nodeType !== 8)) continue;
      const name = child.nodeType === 1 ? (child as Element).localName : '#comment';
      children.push({ node: child, path: `${item.path}/${name}:${index++}` });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return lines;
}

/** Every node of the replica (shadow roots included) by its mirror id: ids used more than once. */
function replicaIds(): { checked: number; withoutId: number; duplicates: string[] } | null {
  const hook = (window as ConsoleWindow).__samepageReplica;
  const doc = hook?.document();
  if (!hook || !doc) return null;
  const seen = new Map<number, string>();
  const duplicates: string[] = [];
  let checked = 0;
  let withoutId = 0;
  const stack: Node[] = [doc];
  while (stack.length) {
    const node = stack.pop()!;
    checked++;
    const id = hook.idOf(node);
    const label = node.nodeType === 1 ? `<${(node as Element).localName}>` : node.nodeName;
    if (id < 0) withoutId++;
    else if (seen.has(id)) {
      if (duplicates.length < 10) duplicates.push(`id ${id}: ${seen.get(id)} and ${label} ${JSON.stringify((node.textContent ?? '').slice(0, 40))}`);
    } else seen.set(id, label);
    const shadow = node.nodeType === 1 ? (node as Element).shadowRoot : null;
    if (shadow) stack.push(shadow);
    for (const child of Array.from(node.childNodes)) stack.push(child);
  }
  return { checked, withoutId, duplicates };
}

/** Serves /sdk.js and /sdk/* to the customer's tab from `dist` (another build of packages/sdk), if given. */
async function serveSdkFrom(page: Page, server: TestServer, dist: string | undefined): Promise<void> {
  if (!dist) return;
  const origin = new URL(server.url).origin;
  await page.route(
    (url) => url.origin === origin && (url.pathname === '/sdk.js' || url.pathname.startsWith('/sdk/')),
    async (route) => {
      const pathname = new URL(route.request().url()).pathname;
      const file = path.join(dist, pathname === '/sdk.js' ? 'sdk.js' : pathname.slice('/sdk/'.length));
      if (!path.resolve(file).startsWith(path.resolve(dist) + path.sep)) return route.fulfill({ status: 404 });
      try {
        const body = await readFile(file);
        await route.fulfill({ status: 200, body, headers: { 'content-type': file.endsWith('.json') ? 'application/json' : 'text/javascript; charset=utf-8', 'access-control-allow-origin': '*' } });
      } catch {
        await route.fulfill({ status: 404 });
      }
    },
  );
}
