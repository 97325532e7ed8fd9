import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { INTERNAL_REQUEST } from '../http/origin.ts';
import type { RelaySocket } from '../relay/relay.ts';

/**
 * A relay connection with no network socket: what the relay sends goes to `onSend`, and
 * `deliver` plays a frame from the client side. The shared browser's pages talk to the relay
 * through these (their WebSocket is routed by Playwright, never reaching the network).
 */
export class InProcessSocket extends EventEmitter implements RelaySocket {
  readonly bufferedAmount = 0;
  closed = false;

  constructor(private readonly out: { onSend(data: string | Uint8Array): void; onClose(code: number, reason: string): void }) {
    super();
  }

  send(data: string | Uint8Array): void {
    if (!this.closed) this.out.onSend(data);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.out.onClose(code, reason);
    this.emit('close');
  }

  deliver(data: string | Uint8Array): void {
    if (this.closed) return;
    const isBinary = typeof data !== 'string';
    this.emit('message', Buffer.from(data), isBinary);
  }

  /** The client side went away. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}

/** The virtual origin of the SDK inside shared browsers: Playwright serves it, DNS never sees it. */
export const SDK_ORIGIN = 'https://samepage.internal';

/**
 * The request `relay.accept` sees for a shared-browser page. It carries INTERNAL_REQUEST, which
 * only the hidden "Shared browser" site's allowed-origins entry accepts (http/origin.ts).
 */
export function internalRequest(): IncomingMessage {
  return { headers: { host: 'samepage.internal', origin: SDK_ORIGIN }, socket: { remoteAddress: '127.0.0.1' }, url: '/ws', [INTERNAL_REQUEST]: true } as unknown as IncomingMessage;
}
