/**
 * The reference relay: the smallest live rrweb setup. One `ws` server with permessage-deflate on
 * (both ways, ws defaults), rooms of one host and N viewers.
 *
 * Join policy (typical of live rrweb setups): when a viewer connects, the relay asks the host for
 * a fresh full snapshot (`{"type":"snapshot"}` → `record.takeFullSnapshot()`), and starts
 * forwarding to that viewer from the next Meta event (rrweb sends Meta right before FullSnapshot).
 * Every host message goes to every ready viewer, so the new snapshot reaches all of them.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

interface Room {
  host: WebSocket | null;
  hostSocket: Socket | null;
  /** bytesRead of the host socket right after the upgrade (the HTTP handshake). */
  hostBase: number;
  viewers: Set<WebSocket>;
  pending: Set<WebSocket>;
  /** Payload bytes the host sent, after inflate (the raw JSON). */
  rawBytes: number;
  messages: number;
}

export class ReferenceRelay {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: true, maxPayload: 512 * 1024 * 1024 });
  private readonly rooms = new Map<string, Room>();

  private room(name: string): Room {
    let room = this.rooms.get(name);
    if (!room) {
      room = { host: null, hostSocket: null, hostBase: 0, viewers: new Set(), pending: new Set(), rawBytes: 0, messages: 0 };
      this.rooms.set(name, room);
    }
    return room;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/relay') return void socket.destroy();
    const role = url.searchParams.get('role');
    const room = this.room(url.searchParams.get('room') ?? 'default');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (role === 'host') this.acceptHost(room, ws, req.socket);
      else this.acceptViewer(room, ws);
    });
  }

  private acceptHost(room: Room, ws: WebSocket, socket: Socket): void {
    room.host?.close();
    room.host = ws;
    room.hostSocket = socket;
    room.hostBase = socket.bytesRead;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const buf = data as Buffer;
      room.rawBytes += buf.length;
      room.messages += 1;
      if (room.pending.size && buf.toString('latin1', 0, 10) === '{"type":4,') {
        for (const v of room.pending) room.viewers.add(v);
        room.pending.clear();
      }
      for (const v of room.viewers) if (v.readyState === v.OPEN) v.send(buf, { binary: isBinary });
    });
    ws.on('close', () => {
      if (room.host === ws) (room.host = null), (room.hostSocket = null);
    });
  }

  private acceptViewer(room: Room, ws: WebSocket): void {
    room.pending.add(ws);
    ws.on('close', () => {
      room.pending.delete(ws);
      room.viewers.delete(ws);
    });
    if (room.host?.readyState === room.host?.OPEN) room.host?.send('{"type":"snapshot"}');
  }

  /** Bytes read from the host's TCP socket so far (compressed, with WS framing) and raw JSON bytes. */
  hostCounters(name: string): { wireBytes: number; rawBytes: number; messages: number } {
    const room = this.room(name);
    return { wireBytes: room.hostSocket ? room.hostSocket.bytesRead - room.hostBase : 0, rawBytes: room.rawBytes, messages: room.messages };
  }

  closeRoom(name: string): void {
    const room = this.rooms.get(name);
    if (!room) return;
    room.host?.terminate();
    for (const v of [...room.viewers, ...room.pending]) v.terminate();
    this.rooms.delete(name);
  }

  close(): void {
    for (const name of [...this.rooms.keys()]) this.closeRoom(name);
    this.wss.close();
  }
}
