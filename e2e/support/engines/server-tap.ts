/**
 * A frame tap on the server's side of the socket, for customers in Firefox or WebKit where
 * the CDP tap of frame-tap.ts is not available: every frame the server receives on a socket
 * whose first message is a `host_hello` (the customer's SDK), across page loads.
 *
 * Test-only: it wraps the in-process relay's WebSocketServer (a private field, reached with
 * bracket access), before any socket opens.
 *
 * @example
 *   const tap = tapServerFrames(server);
 *   // ... drive the customer's page in any engine ...
 *   assert.deepEqual(tap.findLeaks(['hunter2']), []);
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { frameTapOf, type FrameTap, type SocketLog } from '../frame-tap.ts';
import type { TestServer } from '../server.ts';

type UpgradeCallback = (ws: WebSocket, req: IncomingMessage) => void;

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export function tapServerFrames(server: TestServer): FrameTap {
  const hosts: SocketLog[] = [];
  const wss = server.relay['wss'] as WebSocketServer;
  const original = wss.handleUpgrade.bind(wss);
  wss.handleUpgrade = ((req: IncomingMessage, socket: Duplex, head: Buffer, callback: UpgradeCallback) =>
    original(req, socket, head, (ws: WebSocket, request: IncomingMessage) => {
      const log: SocketLog = { url: `server side of ${req.url ?? '/ws'} from ${req.headers.origin ?? '?'}`, texts: [], binaries: [] };
      let first = true;
      ws.on('message', (data: RawData, isBinary: boolean) => {
        const bytes = toBuffer(data);
        if (first) {
          first = false;
          // Only the customer's sockets: agents' consoles say agent_hello.
          if (isBinary || !/"type"\s*:\s*"host_hello"/.test(bytes.toString('utf8'))) return;
          hosts.push(log);
        } else if (!hosts.includes(log)) return;
        if (isBinary) log.binaries.push(bytes);
        else log.texts.push(bytes.toString('utf8'));
      });
      callback(ws, request);
    })) as typeof wss.handleUpgrade;
  return frameTapOf(hosts);
}
