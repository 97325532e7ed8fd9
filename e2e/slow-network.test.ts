/**
 * The customer's tab behind a 256 kbit/s link with 200 ms RTT (bench/slow-network/proxy.ts):
 * the session stays usable. Asserts behaviour, not timings (the figures are in
 * docs/PERFORMANCE.md, from `npm run bench`): no disconnect, the SDK's send queue stays bounded,
 * and the customer's changes keep arriving in the agent's replica.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from '../bench/lib/browser.ts';
import { bundleClient } from '../bench/lib/bundle.ts';
import { startStaticServer } from '../bench/lib/static-server.ts';
import { runSlowNetworkProfile } from '../bench/slow-network/run.ts';
import { PROFILES } from '../bench/slow-network/proxy.ts';
import { MAX_BUFFERED_BYTES } from '../packages/sdk/src/frame-writer.ts';

test('at 256 kbit/s and 200 ms RTT the session stays connected, queues stay bounded and changes keep arriving', { timeout: 120_000 }, async (t) => {
  const [page, probe] = await Promise.all([bundleClient('workload/page.client.ts'), bundleClient('lib/replica-probe.client.ts')]);
  const web = await startStaticServer();
  t.after(() => web.close());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const profile = PROFILES.find((p) => p.name === '256kbit_200ms');
  assert.ok(profile);
  const r = await runSlowNetworkProfile(browser, web, { page, probe }, profile, { durationMs: 5000, nodes: 10_000, log: () => undefined });
  t.diagnostic(JSON.stringify(r));
  assert.equal(r.disconnects, 0, 'the customer’s WebSocket never closed');
  assert.ok(r.sdk_max_buffered_bytes <= MAX_BUFFERED_BYTES + 1024 * 1024, `SDK queue ${r.sdk_max_buffered_bytes} bytes`);
  assert.ok(r.latency_p50_ms !== null, 'markers reached the replica');
  // Every marker of the run was shown by the viewer (none still missing 2 s after the end).
  assert.equal(r.lost_markers, 0, 'changes kept arriving');
});
