import assert from 'node:assert/strict';
import { test } from 'node:test';
import nodeCrypto from 'node:crypto';
import { fromBase64Url, randomBytes } from './bytes.ts';
import { generateRecordingKeyPair, readRecordingKeyFile } from './recording-key-file.ts';
import { RECORDING_WRAP_BYTES, recordingWrapContext, unwrapEpochSecret, wrapEpochSecret } from './recording-wrap.ts';

const SESSION = 'sess-recording';

async function tenantKey() {
  const pair = await generateRecordingKeyPair();
  const loaded = await readRecordingKeyFile(pair.file);
  assert.ok(loaded, 'the key file reads back');
  return { ...pair, ...loaded };
}

test('an epoch secret wrapped to the recording key opens with the private key from the file, and only for its session and epoch', async () => {
  const key = await tenantKey();
  const secret = randomBytes(32);
  const wrapped = await wrapEpochSecret(key.publicKey, SESSION, 7, secret);
  assert.equal(fromBase64Url(wrapped)?.byteLength, RECORDING_WRAP_BYTES);
  assert.deepEqual(await unwrapEpochSecret(key.privateKey, key.publicKey, SESSION, 7, wrapped), secret);
  assert.equal(await unwrapEpochSecret(key.privateKey, key.publicKey, SESSION, 8, wrapped), null, 'moved to another epoch');
  assert.equal(await unwrapEpochSecret(key.privateKey, key.publicKey, 'another-session', 7, wrapped), null, 'moved to another recording');
  const other = await tenantKey();
  assert.equal(await unwrapEpochSecret(other.privateKey, other.publicKey, SESSION, 7, wrapped), null, 'another tenant key');
  assert.equal(await unwrapEpochSecret(key.privateKey, other.publicKey, SESSION, 7, wrapped), null, 'the public key is bound in');
  // Two wraps of the same secret differ (a fresh ephemeral key each time).
  assert.notEqual(await wrapEpochSecret(key.publicKey, SESSION, 7, secret), wrapped);
});

test('every flipped bit of a wrapped key is refused', async () => {
  const key = await tenantKey();
  const wrapped = fromBase64Url(await wrapEpochSecret(key.publicKey, SESSION, 1, randomBytes(32)))!;
  for (let bit = 0; bit < wrapped.byteLength * 8; bit += 7) {
    const changed = wrapped.slice();
    changed[bit >> 3]! ^= 1 << (bit & 7);
    assert.equal(await unwrapEpochSecret(key.privateKey, key.publicKey, SESSION, 1, Buffer.from(changed).toString('base64url')), null, `bit ${bit}`);
  }
  assert.equal(await unwrapEpochSecret(key.privateKey, key.publicKey, SESSION, 1, 'not base64!'), null);
  assert.equal(await unwrapEpochSecret(key.privateKey, key.publicKey, SESSION, 1, Buffer.from(wrapped).toString('base64url').slice(0, 40)), null);
});

test('the construction as documented, recomputed on node:crypto, opens what WebCrypto wrapped', async () => {
  const key = await tenantKey();
  const secret = randomBytes(32);
  const wrapped = Buffer.from(await wrapEpochSecret(key.publicKey, SESSION, 42, secret), 'base64url');
  const jwk = JSON.parse(key.file).privateKey as nodeCrypto.JsonWebKey;
  const ecdh = nodeCrypto.createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(jwk.d as string, 'base64url'));
  const pkE = wrapped.subarray(1, 66);
  const pkR = Buffer.from(key.publicKey, 'base64url');
  const dh = ecdh.computeSecret(pkE);
  const context = Buffer.from(recordingWrapContext(SESSION, 42));
  const okm = Buffer.from(nodeCrypto.hkdfSync('sha256', dh, Buffer.concat([pkE, pkR]), context, 44));
  const decipher = nodeCrypto.createDecipheriv('aes-256-gcm', okm.subarray(0, 32), okm.subarray(32));
  decipher.setAAD(Buffer.concat([Buffer.from([1]), pkE, context]));
  decipher.setAuthTag(wrapped.subarray(wrapped.length - 16));
  const plain = Buffer.concat([decipher.update(wrapped.subarray(66, wrapped.length - 16)), decipher.final()]);
  assert.deepEqual(new Uint8Array(plain), secret);
  assert.equal(context.toString('latin1').startsWith('samepage e2ee v1 recording wrap\0'), true);
});

test('a key file that is not one, or whose private key is another point, is refused', async () => {
  const key = await tenantKey();
  assert.equal(await readRecordingKeyFile('{}'), null);
  assert.equal(await readRecordingKeyFile('not json'), null);
  const other = JSON.parse((await generateRecordingKeyPair()).file);
  const mixed = { ...JSON.parse(key.file), publicKey: other.publicKey };
  assert.equal(await readRecordingKeyFile(JSON.stringify(mixed)), null, 'public key of another pair');
  await assert.rejects(wrapEpochSecret('AAAA', SESSION, 1, randomBytes(32)), RangeError);
});
