/**
 * Known-answer vectors (vectors.json, written by scripts/e2ee-vectors.ts). Two checks in Node:
 * the e2ee modules on WebCrypto reproduce every vector, and a second, independent implementation
 * of docs/E2EE.md on node:crypto (hkdfSync, createCipheriv, createECDH) agrees with the vectors,
 * so they pin the documented format and not just whatever the code happens to do.
 * The same vectors run in Chromium, Firefox and WebKit in e2e/e2ee-vectors.test.ts.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { test } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { runE2eeVectors, type E2eeVectors } from './run-vectors.ts';

const vectors = JSON.parse(fs.readFileSync(new URL('./vectors.json', import.meta.url), 'utf8')) as E2eeVectors;
const LABEL = 'samepage e2ee v1 ';
const TYPE_CODES: Record<string, number> = { dom_keyframe: 1, dom_delta: 2, chat: 0x10, ctl: 0x20, ctl_result: 0x21, key: 0x30, vouch: 0x31 };

const u16 = (n: number) => Buffer.from([n >> 8, n & 255]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const lp = (s: string) => Buffer.concat([u16(Buffer.byteLength(s)), Buffer.from(s, 'utf8')]);
const info = (purpose: string, session: string, epoch: number, sender: number) => Buffer.concat([Buffer.from(LABEL + purpose), Buffer.alloc(1), lp(session), u32(epoch), u16(sender)]);
const hkdf = (ikm: Buffer, salt: Buffer, inf: Buffer, n: number) => Buffer.from(crypto.hkdfSync('sha256', ikm, salt, inf, n));
const sha = (...parts: Buffer[]) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();
const hex = (s: string) => Buffer.from(s, 'hex');

test('every vector passes on this platform’s WebCrypto (the code the browsers run)', async () => {
  assert.ok(vectors.envelope.length >= 6 && vectors.pairing.length >= 2 && vectors.join.length >= 1);
  assert.deepEqual(await runE2eeVectors(vectors), []);
});

test('an independent node:crypto implementation of docs/E2EE.md agrees with every envelope vector', () => {
  for (const v of vectors.envelope) {
    const { type, epoch, sender, to, seq } = v.header;
    const purpose = v.pairwiseRoot ? `pairwise ${v.direction}` : 'group';
    const ikm = hex(v.pairwiseRoot ?? v.epochSecret!);
    const key = hkdf(ikm, Buffer.alloc(0), info(`${purpose} key`, v.sessionId, epoch, sender), 32);
    const salt = hkdf(ikm, Buffer.alloc(0), info(`${purpose} salt`, v.sessionId, epoch, sender), 12);
    assert.equal(key.toString('hex'), v.expected.key, v.name);
    assert.equal(salt.toString('hex'), v.expected.salt, v.name);
    const nonce = Buffer.from(salt);
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
    assert.equal(nonce.toString('hex'), v.expected.nonce, v.name);

    const frame = hex(v.expected.frame);
    const header = frame.subarray(0, 20);
    const flags = v.deflate ? 3 : 1;
    const expectedHeader = Buffer.concat([Buffer.from([2, 1, TYPE_CODES[type]!, flags]), u32(epoch), u16(sender), u16(to), u32(seq), u32(frame.byteLength - 20)]);
    assert.equal(header.toString('hex'), expectedHeader.toString('hex'), `${v.name}: header layout`);
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(Buffer.concat([header, Buffer.from(v.sessionId, 'utf8')]));
    decipher.setAuthTag(frame.subarray(frame.byteLength - 16));
    let body = Buffer.concat([decipher.update(frame.subarray(20, frame.byteLength - 16)), decipher.final()]);
    if (v.deflate) body = inflateRawSync(body);
    assert.equal(body.toString('utf8'), v.plaintextUtf8, v.name);
  }
});

test('an independent node:crypto implementation agrees with the pairing and join vectors', () => {
  for (const v of vectors.pairing) {
    const e = v.expected;
    const agent = crypto.createECDH('prime256v1');
    agent.setPrivateKey(Buffer.from(v.agentPrivateJwk.d!, 'base64url'));
    const customer = crypto.createECDH('prime256v1');
    customer.setPrivateKey(Buffer.from(v.customerPrivateJwk.d!, 'base64url'));
    assert.equal(agent.getPublicKey('hex'), e.agentPublicKey);
    assert.equal(customer.getPublicKey('hex'), e.customerPublicKey);
    assert.equal(sha(Buffer.from(`${LABEL}fingerprint`), agent.getPublicKey()).toString('hex'), e.fingerprint);
    const parties = Buffer.concat([lp(v.sessionId), u16(v.responder), u16(v.initiator)]);
    const nonce = hex(v.agentNonce);
    const commitment = sha(Buffer.from(`${LABEL}commit`), parties, agent.getPublicKey(), nonce);
    assert.equal(commitment.toString('hex'), e.commitment);
    const transcript = sha(Buffer.from(`${LABEL}transcript`), parties, commitment, customer.getPublicKey(), agent.getPublicKey(), nonce);
    assert.equal(transcript.toString('hex'), e.transcriptHash);
    const shared = agent.computeSecret(customer.getPublicKey());
    assert.equal(shared.toString('hex'), e.sharedSecret);
    assert.equal(hkdf(shared, transcript, Buffer.from(`${LABEL}pairwise root`), 32).toString('hex'), e.root);
    assert.equal(hkdf(shared, transcript, Buffer.from(`${LABEL}confirm`), 16).toString('hex'), e.confirmTag);
    const sas = hkdf(shared, transcript, Buffer.from(`${LABEL}sas`), 8).readBigUInt64BE(0) % 1_000_000n;
    assert.equal(String(sas).padStart(6, '0'), e.sas);
  }
  for (const v of vectors.join) {
    assert.equal(hkdf(hex(v.epochSecret), Buffer.alloc(0), info('join', v.sessionId, v.nextEpoch, 0), 32).toString('hex'), v.expected);
  }
});

test('a corrupted vector is caught (the check can fail)', async () => {
  const broken = structuredClone(vectors);
  broken.envelope[0]!.expected.frame = broken.envelope[0]!.expected.frame.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
  broken.pairing[0]!.expected.sas = broken.pairing[0]!.expected.sas === '000000' ? '000001' : '000000';
  const failures = await runE2eeVectors(broken);
  assert.ok(failures.some((f) => f.includes('sealed frame')), failures.join('\n'));
  assert.ok(failures.some((f) => f.includes('SAS')), failures.join('\n'));
});
