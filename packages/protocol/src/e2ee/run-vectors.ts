/**
 * Checks the known-answer vectors (vectors.json) with this platform's WebCrypto: the same code
 * runs in Node and, bundled by esbuild, in Chromium, Firefox and WebKit (e2e/e2ee-vectors.test.ts).
 * Returns one line per failed check; an empty list means every vector passed. Never throws.
 */
import { encodeUtf8, fromHex, toHex, type Bytes } from './bytes.ts';
import { decodeE2eeHeader, type E2eeType } from './envelope-header.ts';
import { computeNonce, openEnvelope, sealEnvelope } from './envelope.ts';
import { deriveGroupMaterial, deriveJoinSecret, derivePairwiseMaterial, importAesKey, importHkdfKey, type PairwiseDirection } from './kdf.ts';
import { computeCommitment, computeSharedSecret, computeTranscriptHash, createPairingIdentity, derivePairingOutputs, importPeerPublicKey } from './pairing-crypto.ts';

export interface EnvelopeVector {
  name: string;
  sessionId: string;
  /** Group vectors: E_n. Pairwise vectors: the pairing root K_i and a direction. */
  epochSecret?: string;
  pairwiseRoot?: string;
  direction?: PairwiseDirection;
  header: { type: E2eeType; epoch: number; sender: number; to: number; seq: number };
  plaintextUtf8: string;
  deflate: boolean;
  expected: { key: string; salt: string; nonce: string; frame: string };
}

export interface PairingVector {
  name: string;
  sessionId: string;
  responder: number;
  initiator: number;
  agentPrivateJwk: JsonWebKey;
  customerPrivateJwk: JsonWebKey;
  agentNonce: string;
  expected: { agentPublicKey: string; customerPublicKey: string; fingerprint: string; commitment: string; transcriptHash: string; sharedSecret: string; root: string; sas: string; confirmTag: string };
}

export interface JoinVector {
  sessionId: string;
  epochSecret: string;
  nextEpoch: number;
  expected: string;
}

export interface E2eeVectors {
  envelope: EnvelopeVector[];
  pairing: PairingVector[];
  join: JoinVector[];
}

function hex(text: string): Bytes {
  const bytes = fromHex(text);
  if (!bytes) throw new Error(`not hex: ${text.slice(0, 16)}`);
  return bytes;
}

async function checkEnvelope(v: EnvelopeVector, fail: (what: string) => void): Promise<void> {
  const material = v.pairwiseRoot
    ? await derivePairwiseMaterial(await importHkdfKey(hex(v.pairwiseRoot)), v.direction ?? 'to_agent', v.sessionId, v.header.epoch, v.header.sender)
    : await deriveGroupMaterial(hex(v.epochSecret ?? ''), v.sessionId, v.header.epoch, v.header.sender);
  if (toHex(material.key) !== v.expected.key) fail(`${v.name}: key`);
  if (toHex(material.salt) !== v.expected.salt) fail(`${v.name}: salt`);
  if (toHex(computeNonce(material.salt, v.header.seq)) !== v.expected.nonce) fail(`${v.name}: nonce`);
  const key = await importAesKey(material.key);
  const plaintext = encodeUtf8(v.plaintextUtf8);
  // A deflated body depends on the compressor (native or fflate), so those vectors check opening only.
  if (!v.deflate) {
    const frame = await sealEnvelope(key, material.salt, v.sessionId, v.header, plaintext);
    if (toHex(frame) !== v.expected.frame) fail(`${v.name}: sealed frame`);
  }
  const frame = hex(v.expected.frame);
  const opened = await openEnvelope(key, material.salt, v.sessionId, frame);
  if (!opened.ok) fail(`${v.name}: open (${opened.reason})`);
  else if (toHex(opened.plaintext) !== toHex(plaintext)) fail(`${v.name}: opened plaintext`);
  if (decodeE2eeHeader(frame)?.type !== v.header.type) fail(`${v.name}: header`);
  const flipped = new Uint8Array(frame);
  flipped[flipped.byteLength - 1]! ^= 0x80;
  if ((await openEnvelope(key, material.salt, v.sessionId, flipped)).ok) fail(`${v.name}: a flipped tag bit opened`);
}

async function checkPairing(v: PairingVector, fail: (what: string) => void): Promise<void> {
  const agent = await createPairingIdentity(v.agentPrivateJwk);
  const customer = await createPairingIdentity(v.customerPrivateJwk);
  const parties = { sessionId: v.sessionId, responder: v.responder, initiator: v.initiator };
  const nonce = hex(v.agentNonce);
  const e = v.expected;
  if (toHex(agent.publicKey) !== e.agentPublicKey) fail(`${v.name}: agent public key`);
  if (toHex(customer.publicKey) !== e.customerPublicKey) fail(`${v.name}: customer public key`);
  if (toHex(agent.fingerprint) !== e.fingerprint) fail(`${v.name}: fingerprint`);
  const commitment = await computeCommitment(parties, agent.publicKey, nonce);
  if (toHex(commitment) !== e.commitment) fail(`${v.name}: commitment`);
  const transcript = await computeTranscriptHash(parties, commitment, customer.publicKey, agent.publicKey, nonce);
  if (toHex(transcript) !== e.transcriptHash) fail(`${v.name}: transcript hash`);
  // Each side computes the shared secret from its own private key: both must give the vector's.
  for (const [self, peer, who] of [[agent, customer, 'agent'], [customer, agent, 'customer']] as const) {
    const peerKey = await importPeerPublicKey(peer.publicKey);
    if (!peerKey) {
      fail(`${v.name}: ${who} could not import the peer key`);
      continue;
    }
    const shared = await computeSharedSecret(self.privateKey, peerKey);
    if (toHex(shared) !== e.sharedSecret) fail(`${v.name}: ${who}'s ECDH secret`);
    const outputs = await derivePairingOutputs(shared, transcript);
    if (toHex(outputs.root) !== e.root) fail(`${v.name}: ${who}'s root`);
    if (outputs.sas !== e.sas) fail(`${v.name}: ${who}'s SAS`);
    if (toHex(outputs.confirmTag) !== e.confirmTag) fail(`${v.name}: ${who}'s confirm tag`);
  }
}

export async function runE2eeVectors(vectors: E2eeVectors): Promise<string[]> {
  const failures: string[] = [];
  const fail = (what: string): void => void failures.push(what);
  const guard = async (name: string, check: () => Promise<void>): Promise<void> => {
    try {
      await check();
    } catch (error) {
      fail(`${name}: threw ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  for (const v of vectors.envelope) await guard(v.name, () => checkEnvelope(v, fail));
  for (const v of vectors.pairing) await guard(v.name, () => checkPairing(v, fail));
  for (const v of vectors.join) {
    await guard(`join ${v.nextEpoch}`, async () => {
      if (toHex(await deriveJoinSecret(hex(v.epochSecret), v.sessionId, v.nextEpoch)) !== v.expected) fail(`join to epoch ${v.nextEpoch}`);
    });
  }
  return failures;
}
