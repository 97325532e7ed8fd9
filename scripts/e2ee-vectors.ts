/**
 * Writes the e2ee known-answer vectors: node --import tsx scripts/e2ee-vectors.ts > packages/protocol/src/e2ee/vectors.json
 * Inputs are fixed (private keys from fixed scalars); expected values come from the e2ee modules
 * and are cross-checked against node:crypto in packages/protocol/src/e2ee/vectors.test.ts.
 */
import crypto from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { concatBytes, encodeUtf8, toHex, type Bytes } from '../packages/protocol/src/e2ee/bytes.ts';
import { E2EE_TO_GROUP, FLAG_E2EE_DEFLATE, FLAG_E2EE_ENCRYPTED, encodeE2eeHeader } from '../packages/protocol/src/e2ee/envelope-header.ts';
import { computeNonce, encodeAad, sealEnvelope } from '../packages/protocol/src/e2ee/envelope.ts';
import { deriveGroupMaterial, deriveJoinSecret, derivePairwiseMaterial, importAesKey, importHkdfKey } from '../packages/protocol/src/e2ee/kdf.ts';
import { computeCommitment, computeSharedSecret, computeTranscriptHash, createPairingIdentity, derivePairingOutputs, importPeerPublicKey } from '../packages/protocol/src/e2ee/pairing-crypto.ts';
import type { E2eeVectors, EnvelopeVector, PairingVector } from '../packages/protocol/src/e2ee/run-vectors.ts';

const fixed = (label: string, length = 32): Bytes => new Uint8Array(crypto.createHash('sha256').update(label).digest()).subarray(0, length) as Bytes;

function p256Jwk(label: string): JsonWebKey {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(fixed(label)));
  const pub = ecdh.getPublicKey();
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  return { kty: 'EC', crv: 'P-256', d: b64(ecdh.getPrivateKey()), x: b64(pub.subarray(1, 33)), y: b64(pub.subarray(33, 65)) };
}

async function envelopeVector(name: string, base: { epochSecret?: Bytes; root?: Bytes }, header: EnvelopeVector['header'], plaintextUtf8: string, sessionId: string, deflate = false, direction?: 'to_agent' | 'to_customer'): Promise<EnvelopeVector> {
  const material = base.root
    ? await derivePairwiseMaterial(await importHkdfKey(base.root), direction!, sessionId, header.epoch, header.sender)
    : await deriveGroupMaterial(base.epochSecret!, sessionId, header.epoch, header.sender);
  const key = await importAesKey(material.key);
  let frame: Bytes;
  if (!deflate) frame = await sealEnvelope(key, material.salt, sessionId, header, encodeUtf8(plaintextUtf8));
  else {
    // zlib's deflate-raw, so the vector does not depend on the compressor the platform picks.
    const body = new Uint8Array(deflateRawSync(encodeUtf8(plaintextUtf8))) as Bytes;
    const head = encodeE2eeHeader({ ...header, flags: FLAG_E2EE_ENCRYPTED | FLAG_E2EE_DEFLATE, len: body.byteLength + 16 });
    const sealed = await crypto.webcrypto.subtle.encrypt({ name: 'AES-GCM', iv: computeNonce(material.salt, header.seq), additionalData: encodeAad(head, sessionId) }, key, body);
    frame = concatBytes(head, new Uint8Array(sealed));
  }
  return {
    name,
    sessionId,
    ...(base.epochSecret ? { epochSecret: toHex(base.epochSecret) } : { pairwiseRoot: toHex(base.root!), direction }),
    header,
    plaintextUtf8,
    deflate,
    expected: { key: toHex(material.key), salt: toHex(material.salt), nonce: toHex(computeNonce(material.salt, header.seq)), frame: toHex(frame) },
  };
}

async function pairingVector(name: string, sessionId: string, initiator: number, responder = 0): Promise<PairingVector> {
  const agentPrivateJwk = p256Jwk(`${name} agent`);
  const customerPrivateJwk = p256Jwk(`${name} customer`);
  const agent = await createPairingIdentity(agentPrivateJwk);
  const customer = await createPairingIdentity(customerPrivateJwk);
  const nonce = fixed(`${name} nonce`);
  const parties = { sessionId, responder, initiator };
  const commitment = await computeCommitment(parties, agent.publicKey, nonce);
  const transcript = await computeTranscriptHash(parties, commitment, customer.publicKey, agent.publicKey, nonce);
  const shared = await computeSharedSecret(agent.privateKey, (await importPeerPublicKey(customer.publicKey))!);
  const outputs = await derivePairingOutputs(shared, transcript);
  return {
    name,
    sessionId,
    responder,
    initiator,
    agentPrivateJwk,
    customerPrivateJwk,
    agentNonce: toHex(nonce),
    expected: {
      agentPublicKey: toHex(agent.publicKey),
      customerPublicKey: toHex(customer.publicKey),
      fingerprint: toHex(agent.fingerprint),
      commitment: toHex(commitment),
      transcriptHash: toHex(transcript),
      sharedSecret: toHex(shared),
      root: toHex(outputs.root),
      sas: outputs.sas,
      confirmTag: toHex(outputs.confirmTag),
    },
  };
}

const session = 'k7Qm2vX9sessionId';
const epochSecret = fixed('samepage vector epoch 41');
const pairing = [await pairingVector('pairing agent 3', session, 3), await pairingVector('pairing supervisor 12 with agent 3', session, 12, 3)];
const root = new Uint8Array(Buffer.from(pairing[0]!.expected.root, 'hex')) as Bytes;
const vectors: E2eeVectors = {
  envelope: [
    await envelopeVector('group keyframe, customer, seq 0', { epochSecret }, { type: 'dom_keyframe', epoch: 41, sender: 0, to: E2EE_TO_GROUP, seq: 0 }, '[{"type":2,"data":{"node":{"type":0}}}]', session),
    await envelopeVector('group chat, agent 3, seq 0x01020304', { epochSecret }, { type: 'chat', epoch: 41, sender: 3, to: E2EE_TO_GROUP, seq: 0x01020304 }, 'Grüße — can you see the basket? ✓', session),
    await envelopeVector('group delta, empty plaintext, last seq', { epochSecret }, { type: 'dom_delta', epoch: 0xfffffffe, sender: 0, to: E2EE_TO_GROUP, seq: 0xffffffff }, '', session),
    await envelopeVector('group delta, deflated', { epochSecret }, { type: 'dom_delta', epoch: 41, sender: 0, to: E2EE_TO_GROUP, seq: 7 }, '{"source":0,"texts":[]}'.repeat(40), session, true),
    await envelopeVector('pairwise key, customer to agent 3', { root }, { type: 'key', epoch: 42, sender: 0, to: 3, seq: 0 }, 'thirty-two bytes of epoch secret', session, false, 'to_agent'),
    await envelopeVector('pairwise ctl, agent 3 to customer', { root }, { type: 'ctl', epoch: 42, sender: 3, to: 0, seq: 5 }, '{"kind":"click","target":{"id":12}}', session, false, 'to_customer'),
  ],
  pairing,
  join: [{ sessionId: session, epochSecret: toHex(epochSecret), nextEpoch: 42, expected: toHex(await deriveJoinSecret(epochSecret, session, 42)) }],
};
process.stdout.write(`${JSON.stringify(vectors, null, 2)}\n`);
