/**
 * Presence, pointers and drawing, end to end (issue 3): the customer's banner lists the agents,
 * the console shows the customer's state, each side sees the other's pointer, and the agent's
 * drawings appear on the customer's page, anchored to the content.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { createUser, cuttableConnection, eventually, openConsole, openCustomer, sleep, startAndJoin, withBrowser } from './support/collab.ts';
import { startFixtureSite } from './support/fixture-site.ts';
import { withServer } from './support/server.ts';

const AGENT = 'Sam Rivera';

/**
 * Headless Chromium keeps every page "visible" (bringToFront and a minimised window change
 * nothing), so the customer switching tabs is emulated in the page: document.visibilityState
 * reports `state` and a visibilitychange event fires, as the browser would do.
 */
async function setVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  await page.evaluate(`(() => {
    const state = ${JSON.stringify(state)};
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  })()`);
}

/** The box of `locator` relative to the box of `anchor`, both as the customer's page shows them. */
async function offsetFrom(locator: Locator, anchor: Locator): Promise<{ dx: number; dy: number; width: number; height: number }> {
  const [box, ref] = await Promise.all([locator.boundingBox(), anchor.boundingBox()]);
  assert.ok(box && ref, 'both boxes are on screen');
  return { dx: Math.round(box.x - ref.x), dy: Math.round(box.y - ref.y), width: Math.round(box.width), height: Math.round(box.height) };
}

test('presence and pointer: the customer sees the agent in the banner; the agent sees the customer on another tab and back; each sees the other’s pointer', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const fixtures = await startFixtureSite(t, server);
  const customer = await openCustomer(browser);
  const agent = await openConsole(browser, server, await createUser(server, 'senior_agent', AGENT));
  const page = customer.page;
  const connection = await cuttableConnection(page);
  await startAndJoin(customer, agent, fixtures.url('/control.html'), 'Control fixture');

  await customer.banner().getByText(`${AGENT} is viewing this tab`).waitFor({ timeout: 5_000 });
  const customerRow = agent.participants().filter({ hasText: 'Customer' });
  await customerRow.getByTestId('host-state').getByText('Active').waitFor({ timeout: 5_000 });
  await agent.participants().filter({ hasText: AGENT }).getByText('Senior agent').waitFor();

  await setVisibility(page, 'hidden');
  await agent.hostState().getByText('On another tab').waitFor({ timeout: 5_000 });
  await setVisibility(page, 'visible');
  await agent.hostState().getByText('Active').waitFor({ timeout: 5_000 });
  await connection.cut();
  await agent.hostState().getByText('Reconnecting').waitFor({ timeout: 5_000 });
  await connection.restore();
  await agent.hostState().getByText('Active').waitFor({ timeout: 15_000 });

  // The agent's pointer over the replica shows on the customer's page, with the agent's name,
  // over the same element.
  const over = await agent.replicaPoint('#counter', { dx: 10, dy: 5 });
  await agent.page.mouse.move(over.x - 30, over.y - 30);
  await agent.page.mouse.move(over.x, over.y, { steps: 5 });
  const pointer = customer.widget().locator('.sp-pointer').filter({ hasText: AGENT });
  await pointer.waitFor({ timeout: 5_000 });
  const counter = await page.locator('#counter').boundingBox();
  assert.ok(counter);
  await eventually(
    async () => {
      const box = await pointer.boundingBox();
      return !!box && Math.abs(box.x - (counter.x + 10)) <= 6 && Math.abs(box.y - (counter.y + 5)) <= 6;
    },
    true,
    'the agent’s pointer is drawn where the agent points',
  );

  // The customer's pointer and click show in the replica, the click as a ripple.
  const heading = await page.locator('h1').boundingBox();
  assert.ok(heading);
  await page.mouse.move(heading.x + 40, heading.y + 10);
  await page.mouse.click(heading.x + 40, heading.y + 10);
  await agent.page.getByTestId('customer-pointer').waitFor({ timeout: 5_000 });
  await agent.page.locator('.click-ripple').first().waitFor({ state: 'attached', timeout: 5_000 });
  const shown = await agent.page.getByTestId('customer-pointer').evaluate((el) => [Number(el.getAttribute('data-x')), Number(el.getAttribute('data-y'))]);
  assert.ok(Math.abs((shown[0] ?? 0) - (heading.x + 40)) <= 2 && Math.abs((shown[1] ?? 0) - (heading.y + 10)) <= 2, `the customer’s pointer in the replica is at ${shown.join(',')}`);
});

test('drawing: a highlight and a stroke appear on the customer’s page and stay over the same content when the customer scrolls; Clear drawings removes them; a laser trail fades', async (t) => {
  const browser = await withBrowser(t);
  const server = await withServer(t);
  const fixtures = await startFixtureSite(t, server);
  const customer = await openCustomer(browser);
  const agent = await openConsole(browser, server, await createUser(server, 'agent', AGENT));
  const page = customer.page;
  await startAndJoin(customer, agent, fixtures.url('/control.html'), 'Control fixture');
  const drawings = customer.widget().locator('svg.sp-drawing');
  const target = page.locator('#keys'); // the marked content

  // A highlight around the target, then a stroke under it.
  await agent.tool('Highlight');
  await agent.dragReplica(await agent.replicaPoint('#keys', { dx: -8, dy: -6 }), await agent.replicaPoint('#keys', { dx: 160, dy: 30 }));
  const rect = drawings.locator('rect');
  await rect.waitFor({ timeout: 5_000 });
  await agent.tool('Draw');
  await agent.dragReplica(await agent.replicaPoint('#keys', { dx: 0, dy: 40 }), await agent.replicaPoint('#keys', { dx: 150, dy: 45 }));
  const stroke = drawings.locator('g > polyline');
  await stroke.waitFor({ timeout: 5_000 });
  await eventually(() => agent.page.getByTestId('drawings').getAttribute('data-shapes'), '2', 'the agent’s own view keeps both shapes');

  const rectBefore = await offsetFrom(rect, target);
  const strokeBefore = await offsetFrom(stroke, target);
  assert.ok(Math.abs(rectBefore.dx + 8) <= 3 && Math.abs(rectBefore.dy + 6) <= 3, `the highlight starts where it was drawn: ${JSON.stringify(rectBefore)}`);
  assert.ok(Math.abs(rectBefore.width - 168) <= 4 && Math.abs(rectBefore.height - 36) <= 4, `the highlight has the drawn size: ${JSON.stringify(rectBefore)}`);

  // The customer scrolls: the shapes move with the content.
  const targetTop = (await target.boundingBox())?.y ?? 0;
  await page.mouse.move(500, 400);
  await page.mouse.wheel(0, 150);
  await eventually(async () => Math.round(targetTop - ((await target.boundingBox())?.y ?? 0)) >= 100, true, 'the customer’s page scrolled');
  await sleep(100);
  assert.deepEqual(await offsetFrom(rect, target), rectBefore, 'the highlight stays over the same content');
  assert.deepEqual(await offsetFrom(stroke, target), strokeBefore, 'the stroke stays over the same content');

  // Clear drawings: gone on both sides.
  await agent.button('Clear drawings').click();
  await rect.waitFor({ state: 'detached', timeout: 5_000 });
  assert.equal(await stroke.count(), 0);
  await eventually(() => agent.page.getByTestId('drawings').getAttribute('data-shapes'), '0', 'the console cleared too');

  // Laser: a trail that shows, then fades away by itself.
  await agent.tool('Laser');
  const from = await agent.replicaPoint('#keys'); // on screen after the scroll
  await agent.page.mouse.move(from.x, from.y);
  await agent.page.mouse.move(from.x + 120, from.y + 20, { steps: 10 });
  const laser = drawings.locator('g.sp-laser');
  await laser.first().waitFor({ state: 'attached', timeout: 5_000 });
  await eventually(() => laser.count(), 0, 'the laser trail fades away', 4_000);
  assert.equal(await drawings.locator('rect, g > polyline').count(), 0, 'the laser left nothing behind');
});
