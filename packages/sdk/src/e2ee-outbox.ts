/**
 * Sealed frames leave in the order they were asked for. Sealing is asynchronous (WebCrypto), and
 * the relay refuses a sequence number that does not increase, so each frame waits for the ones
 * before it; the encryption itself still runs in parallel.
 */
export interface Outbox {
  /** Sends the frame once it is sealed and every earlier one has gone. */
  push(frame: Promise<Uint8Array>, bytes: number): void;
  /** Bytes waiting to be sealed or sent. */
  pendingBytes(): number;
  /** Resolves when everything pushed so far has gone. */
  idle(): Promise<void>;
}

/**
 * @example
 *   const outbox = createOutbox((frame) => socket.sendBinary(frame), report);
 *   outbox.push(sender.seal('chat', body), body.byteLength);
 */
export function createOutbox(send: (frame: Uint8Array) => void, report: (error: unknown) => void): Outbox {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  return {
    push(frame, bytes) {
      pending += bytes;
      frame.catch(() => undefined); // reported in order below
      tail = tail
        .then(() => frame)
        .then(send, report)
        .finally(() => {
          pending -= bytes;
        });
    },
    pendingBytes: () => pending,
    idle: () => tail,
  };
}
