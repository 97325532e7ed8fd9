/**
 * In-page half of bench/e2ee.ts: times the e2ee core on the browser's own WebCrypto.
 * Exposes window.__e2eeBench(options) → figures in milliseconds (medians) and microseconds.
 */
import {
  Keyring,
  advanceOnJoin,
  createEpoch,
  createGroupSender,
  createPairwiseSender,
  readEpochKey,
  sealEpochKey,
  type EpochSecret,
} from '../packages/protocol/src/e2ee/index.ts';
import { GroupEpochKeys } from '../packages/protocol/src/e2ee/epochs.ts';
import { runVerifiedPairing } from '../packages/protocol/src/e2ee/test-support.ts';

interface Options {
  snapshotBytes: number;
  snapshotRepeats: number;
  smallMessages: number;
  pairings: number;
}

const now = (): number => performance.now();

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A page-like JSON payload: repetitive structure, varied text, so deflate behaves as on a real keyframe. */
function makeSnapshot(bytes: number): Uint8Array {
  const words = ['basket', 'delivery', 'Checkout', 'total', 'price', 'sku', 'quantity', 'shipping', 'address', 'promo', 'lorem', 'ipsum'];
  const parts: string[] = [];
  let length = 0;
  let seed = 7;
  for (let id = 1; length < bytes; id++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const text = `${words[seed % words.length]} ${seed.toString(36)} ${words[(seed >> 8) % words.length]}`;
    const part = `{"type":2,"id":${id},"tagName":"div","attributes":{"class":"row c${seed % 97}","data-k":"${seed.toString(16)}"},"childNodes":[{"type":3,"id":${id + 1},"textContent":"${text}"}]},`;
    parts.push(part);
    length += part.length;
  }
  return new TextEncoder().encode(parts.join('')).subarray(0, bytes);
}

async function timeEach(repeats: number, run: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  await run(); // warm-up, not counted
  for (let i = 0; i < repeats; i++) {
    const t0 = now();
    await run();
    samples.push(now() - t0);
  }
  return median(samples);
}

async function benchSnapshot(epoch: EpochSecret, sessionId: string, o: Options) {
  const snapshot = makeSnapshot(o.snapshotBytes);
  const sender = await createGroupSender(epoch, sessionId, 0);
  const keys = await GroupEpochKeys.create(epoch, sessionId);
  const opener = await keys.openerFor(0)!;
  let lastPlain = new Uint8Array(0);
  let lastDeflated = new Uint8Array(0);
  const sealMs = await timeEach(o.snapshotRepeats, async () => (lastPlain = await sender.seal('dom_keyframe', snapshot)));
  const sealDeflateMs = await timeEach(o.snapshotRepeats, async () => (lastDeflated = await sender.seal('dom_keyframe', snapshot, { deflate: true })));
  // What the SDK will do: its keyframe is deflated already (unencrypted sessions pay that too); only the seal is new.
  const deflatedBody = lastDeflated.subarray(20, lastDeflated.byteLength - 16);
  const sealPrecompressedMs = await timeEach(o.snapshotRepeats, () => sender.seal('dom_keyframe', deflatedBody, { alreadyDeflated: true }));
  // Each open needs a fresh frame (the replay window), so time opens of frames sealed just before.
  const openOnce = async (deflate: boolean): Promise<number> => {
    const frame = await sender.seal('dom_keyframe', snapshot, { deflate });
    const t0 = now();
    const result = await opener.open(frame);
    if (!result.ok) throw new Error(`open failed: ${result.reason}`);
    return now() - t0;
  };
  const opens: number[] = [];
  const opensDeflate: number[] = [];
  for (let i = 0; i < o.snapshotRepeats; i++) {
    opens.push(await openOnce(false));
    opensDeflate.push(await openOnce(true));
  }
  return {
    bytes: snapshot.byteLength,
    seal_ms: sealMs,
    seal_deflate_ms: sealDeflateMs,
    seal_precompressed_ms: sealPrecompressedMs,
    open_ms: median(opens),
    open_inflate_ms: median(opensDeflate),
    frame_bytes: lastPlain.byteLength,
    deflated_frame_bytes: lastDeflated.byteLength,
  };
}

async function benchSmall(epoch: EpochSecret, sessionId: string, o: Options) {
  const out: Record<string, { seal_us: number; open_us: number }> = {};
  for (const size of [200, 1024]) {
    const payload = makeSnapshot(size);
    const sender = await createGroupSender(epoch, sessionId, 0);
    const keys = await GroupEpochKeys.create(epoch, sessionId);
    const opener = await keys.openerFor(0)!;
    const frames: Uint8Array[] = [];
    let t0 = now();
    for (let i = 0; i < o.smallMessages; i++) frames.push(await sender.seal('dom_delta', payload));
    const sealUs = ((now() - t0) * 1000) / o.smallMessages;
    t0 = now();
    for (const frame of frames) if (!(await opener.open(frame)).ok) throw new Error('small open failed');
    const openUs = ((now() - t0) * 1000) / o.smallMessages;
    out[`${size}_bytes`] = { seal_us: sealUs, open_us: openUs };
  }
  return out;
}

async function benchPairingAndRekey(epoch: EpochSecret, sessionId: string, o: Options) {
  let pairing = await runVerifiedPairing(sessionId, 2);
  const pairingMs = await timeEach(o.pairings, async () => (pairing = await runVerifiedPairing(sessionId, 2)));
  // A verified join: advance the epoch, seal it for the newcomer, the newcomer opens it and imports it.
  let current = epoch;
  const keyring = new Keyring();
  keyring.addLink(pairing.agentLink, 'agent');
  const joinMs = await timeEach(o.pairings, async () => {
    current = await advanceOnJoin(current, sessionId);
    const frame = await sealEpochKey(await createPairwiseSender(pairing.customerLink, current.epoch, 'customer'), current);
    const received = readEpochKey(await keyring.open(frame));
    if (!received || !(await keyring.addEpoch(received, sessionId))) throw new Error('key delivery failed');
    await createGroupSender(current, sessionId, 0);
  });
  return { pairing_ms: pairingMs, join_rekey_ms: joinMs };
}

async function runBench(o: Options) {
  const sessionId = 'bench-session';
  const epoch = createEpoch(1);
  return {
    user_agent: navigator.userAgent,
    snapshot: await benchSnapshot(epoch, sessionId, o),
    small: await benchSmall(epoch, sessionId, o),
    ...(await benchPairingAndRekey(epoch, sessionId, o)),
  };
}

(window as unknown as { __e2eeBench: typeof runBench }).__e2eeBench = runBench;
