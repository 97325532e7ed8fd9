import { E2EE_HEADER_BYTES, MAX_MESSAGE_BYTES, type E2eeType } from '@samepage/protocol';

/**
 * Size and rate limits per type of end-to-end encrypted frame. DOM frames keep the relay's frame
 * limit (MAX_FRAME_BYTES); chat and control keep the JSON message limit they had in the clear;
 * key material and pairing are a few hundred bytes, so 4 KiB is generous. Rates are frames per
 * second per sender and type, well above what a client sends (pointer-speed control at most).
 */
export interface E2eeLimit {
  /** Largest frame, header included, in bytes; null means the relay's MAX_FRAME_BYTES. */
  maxBytes: number | null;
  perSecond: number;
}

const SMALL = 4 * 1024;

export const E2EE_LIMITS: Record<E2eeType, E2eeLimit> = {
  dom_keyframe: { maxBytes: null, perSecond: 20 },
  dom_delta: { maxBytes: null, perSecond: 500 },
  chat: { maxBytes: E2EE_HEADER_BYTES + MAX_MESSAGE_BYTES, perSecond: 10 },
  ctl: { maxBytes: E2EE_HEADER_BYTES + MAX_MESSAGE_BYTES, perSecond: 200 },
  ctl_result: { maxBytes: E2EE_HEADER_BYTES + MAX_MESSAGE_BYTES, perSecond: 200 },
  key: { maxBytes: SMALL, perSecond: 50 },
  vouch: { maxBytes: SMALL, perSecond: 10 },
  pair: { maxBytes: SMALL, perSecond: 20 },
};

/** Types whose header epoch is not checked against the session's current epoch (see docs/E2EE.md, "Relay"). */
export const ANY_EPOCH_TYPES: ReadonlySet<E2eeType> = new Set(['pair', 'vouch']);

/** The DOM stream: group frames that may be dropped for a slow viewer and resynchronised from the cache. */
export const DOM_TYPES: ReadonlySet<E2eeType> = new Set(['dom_keyframe', 'dom_delta']);

/** Per (sender, to): how many epochs of sequence numbers are remembered before the oldest is forgotten. */
export const EPOCHS_REMEMBERED = 8;
