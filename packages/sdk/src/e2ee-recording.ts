/**
 * Encrypted recordings on the customer's side (docs/E2EE.md, "Recordings"): when the site records
 * sessions and the tenant registered a recording public key (welcome.policy.recordingKey), every
 * epoch secret this tab enters is wrapped to that key (protocol recording-wrap.ts) and uploaded
 * as an `e2ee_recording_key` message. The server stores it next to the ciphertext frames and can
 * open neither; the tenant's private key, in its own browser, replays the recording.
 *
 * A wrap that could not be sent (socket down) waits and goes with the next try. Never throws.
 */
import { wrapEpochSecret, type EpochSecret } from '@samepage/protocol/e2ee';
import type { ClientMessage } from '@samepage/protocol';

/** Wrapped keys kept while the socket is down (an epoch every 10 minutes and on every join and leave). */
const MAX_PENDING = 64;

export interface RecordingKeyUploader {
  /** A new epoch this tab entered. */
  add(epoch: EpochSecret): void;
  /** Sends what is waiting; call it when the socket may be back. */
  flush(): void;
}

/**
 * @example
 *   const uploader = createRecordingKeyUploader({ sessionId, publicKey: policy.recordingKey, send, report });
 *   keys = new CustomerKeys({ …, onSecret: (epoch) => uploader.add(epoch) });
 */
export function createRecordingKeyUploader(options: { sessionId: string; publicKey: string; send(message: ClientMessage): boolean; report(error: unknown): void }): RecordingKeyUploader {
  let pending: Array<{ epoch: number; wrapped: string }> = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const left = pending.filter((item) => !options.send({ type: 'e2ee_recording_key', epoch: item.epoch, wrapped: item.wrapped }));
    pending = left;
  };
  return {
    add(epoch) {
      wrapEpochSecret(options.publicKey, options.sessionId, epoch.epoch, epoch.secret)
        .then((wrapped) => {
          if (pending.length < MAX_PENDING) pending.push({ epoch: epoch.epoch, wrapped });
          flush();
        })
        .catch(options.report);
    },
    flush,
  };
}
