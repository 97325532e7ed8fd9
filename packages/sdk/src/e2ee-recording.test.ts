/**
 * Encrypted recordings in the tab (e2ee-recording.ts with e2ee-keys.ts) on Node's WebCrypto:
 * every epoch the tab enters (page load, join, leave) is wrapped to the tenant's recording key
 * and uploaded once; a wrap that could not be sent waits for the next flush; the tenant's key
 * file opens exactly those secrets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentPairing, CustomerPairing, createPairingIdentity, generateRecordingKeyPair, readRecordingKeyFile, unwrapEpochSecret, type ClientMessage, type EpochSecret, type PairBody, type PairingStep } from '@samepage/protocol';
import { CustomerKeys } from './e2ee-keys.ts';
import { createOutbox } from './e2ee-outbox.ts';
import { createRecordingKeyUploader } from './e2ee-recording.ts';

const SESSION = 'ses_recording_test';
const carry = (step: PairingStep): unknown => JSON.parse(JSON.stringify(step.send as PairBody));

async function verifiedLink(member: number) {
  const agent = new AgentPairing({ sessionId: SESSION, member, identity: await createPairingIdentity() });
  const customer = new CustomerPairing({ sessionId: SESSION, agent: member });
  const reveal = await agent.receive(carry(await customer.receive(carry(await agent.start()))));
  await customer.receive(carry(reveal));
  await agent.receive(carry(await customer.confirm(true)));
  return customer.link()!;
}

const until = async (check: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), what);
};

test('every epoch the tab enters is wrapped to the recording key once; the key file opens each one', async () => {
  const tenant = await generateRecordingKeyPair();
  const key = (await readRecordingKeyFile(tenant.file))!;
  const uploads: Array<Extract<ClientMessage, { type: 'e2ee_recording_key' }>> = [];
  const secrets: EpochSecret[] = [];
  const uploader = createRecordingKeyUploader({
    sessionId: SESSION,
    publicKey: tenant.publicKey,
    send: (m) => (m.type === 'e2ee_recording_key' ? uploads.push(m) > 0 : false),
    report: (e) => assert.fail(String(e)),
  });
  const outbox = createOutbox(() => undefined, (e) => assert.fail(String(e)));
  const keys = new CustomerKeys({
    sessionId: SESSION,
    outbox,
    onEpoch: () => undefined,
    onSecret: (epoch) => {
      secrets.push(epoch);
      uploader.add(epoch);
    },
    report: (e) => assert.fail(String(e)),
  });
  await keys.start(null, null); // page load
  keys.addAgent(await verifiedLink(1)); // join
  await keys.settled();
  keys.removeAgent(1); // leave
  await keys.settled();
  assert.deepEqual(secrets.map((s) => s.reason), ['page_load', 'join', 'leave']);
  await until(() => uploads.length === 3, 'three wrapped keys uploaded');
  assert.deepEqual(uploads.map((u) => u.epoch), secrets.map((s) => s.epoch));
  for (const [i, upload] of uploads.entries()) {
    assert.deepEqual(await unwrapEpochSecret(key.privateKey, key.publicKey, SESSION, upload.epoch, upload.wrapped), secrets[i]!.secret);
  }
});

test('a wrapped key that could not be sent waits and goes with the next flush, once', async () => {
  const tenant = await generateRecordingKeyPair();
  let online = false;
  let tries = 0;
  const sent: number[] = [];
  const uploader = createRecordingKeyUploader({
    sessionId: SESSION,
    publicKey: tenant.publicKey,
    send: (m) => (tries++, online && m.type === 'e2ee_recording_key' && sent.push(m.epoch) > 0),
    report: (e) => assert.fail(String(e)),
  });
  const secret = new Uint8Array(32).fill(7);
  uploader.add({ epoch: 4, secret, reason: 'page_load', createdAt: 0 });
  await until(() => tries === 1, 'the wrap was tried once');
  assert.deepEqual(sent, [], 'the socket is down');
  online = true;
  uploader.flush();
  uploader.flush();
  assert.deepEqual(sent, [4]);
});
