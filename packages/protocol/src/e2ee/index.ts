/**
 * End-to-end encryption core (docs/E2EE.md): the envelope, group epoch keys, verified pairing
 * and vouching, on plain WebCrypto. Shared by the customer's tab (SDK) and the agent console.
 */
export * from './envelope-header.ts';
export { toHex, fromHex, toBase64Url, fromBase64Url, equalBytes, getSubtle, type Bytes } from './bytes.ts';
export { KEY_BYTES, SALT_BYTES, deriveGroupMaterial, derivePairwiseMaterial, deriveJoinSecret, type KeyMaterial, type PairwiseDirection } from './kdf.ts';
export { computeNonce, sealEnvelope, openEnvelope, TAG_BYTES, MAX_SEQ, DEFAULT_MAX_PLAINTEXT_BYTES, type OpenFailure, type OpenResult, type OpenOptions, type SealOptions } from './envelope.ts';
export { isTypeAllowed, isAgentMember, type KeyScope } from './key-scope.ts';
export { FrameSender, E2eeSealError, createFrameSender, type SealFailure } from './frame-sender.ts';
export { FrameOpener, createFrameOpener } from './frame-opener.ts';
export {
  EPOCH_MAX_AGE_MS,
  createEpoch,
  nextEpochNumber,
  advanceOnJoin,
  replaceOnLeave,
  rotateOnTimer,
  isRotationDue,
  chooseEpochAtPageLoad,
  createGroupSender,
  GroupEpochKeys,
  type EpochSecret,
  type EpochReason,
} from './epochs.ts';
export { Keyring } from './keyring.ts';
export { createPairwiseSender, createPairwiseOpener, sealEpochKey, readEpochKey, type PairwiseLink, type PairingSide } from './pairwise.ts';
export { createPairingIdentity, fingerprintPublicKey, formatFingerprint, type PairingIdentity } from './pairing-crypto.ts';
export {
  PAIRING_FAILURES,
  encodePairFrame,
  decodePairFrame,
  encodePairBody,
  decodePairBody,
  parsePairBody,
  type PairBody,
  type PairingFailure,
  type PairingStep,
} from './pair-body.ts';
export { CustomerPairing, type CustomerPairingState, type CustomerPairingOptions } from './customer-pairing.ts';
export { AgentPairing, type AgentPairingState, type AgentPairingOptions } from './agent-pairing.ts';
export { sealVouch, acceptVouch, encodeVouchBody, decodeVouchBody, type Vouch, type VouchFailure, type VouchResult } from './vouch.ts';
export { APP_BODY_VERSION, encodeAppBody, decodeAppBody, type AppBodyType, type ChatBody, type CtlBody, type CtlResultBody } from './app-bodies.ts';
export { RECORDING_WRAP_BYTES, recordingWrapContext, wrapEpochSecret, unwrapEpochSecret } from './recording-wrap.ts';
export { RECORDING_KEY_FILE_TYPE, generateRecordingKeyPair, readRecordingKeyFile, type LoadedRecordingKey, type RecordingKeyPair } from './recording-key-file.ts';
