import type { BrowserContext, Page } from 'playwright-core';

export type SideName = 'samepage' | 'reference';

/** The customer's tab, sharing live. */
export interface Customer {
  page: Page;
  /** Bytes from the customer's tab to the server since the tab started sharing. */
  wire(): { wireBytes: number; rawBytes: number | null; frames: number };
  close(): Promise<void>;
}

export interface ViewerOpenResult {
  page: Page;
  /** From pressing Join / navigation start to the replica painted with the page's last element. */
  joinMs: number | null;
  /** Same, for the console only: from navigation start of /console/join/CODE. */
  detail?: Record<string, number | null>;
}

export interface SnapshotResult {
  /** Longest main-thread block (heartbeat gap) in the window from start to snapshot sent + 300 ms. */
  blockMs: number;
  /** Second-longest block in the same window (Samepage: the longest one after rrweb's snapshot call). */
  secondBlockMs?: number;
  /** Start (record() / startSession()) to the snapshot handed to the socket. */
  toSendMs: number;
  /** Bytes of the snapshot on the wire (payload + WebSocket framing). */
  wireBytes: number;
  /** Uncompressed JSON bytes of the snapshot, when known. */
  jsonBytes: number | null;
  /** zlib deflateRaw (default level) of the snapshot JSON: a stand-in for permessage-deflate. */
  deflateRawBytes?: number | null;
  /** Nodes actually in the page. */
  nodes: number;
}

export interface Side {
  name: SideName;
  openCustomer(context: BrowserContext, nodes: number): Promise<Customer>;
  /** Opens a viewer of `customer`. `mode` picks how the agent gets in (console only). */
  openViewer(context: BrowserContext, customer: Customer, mode?: 'button' | 'url'): Promise<ViewerOpenResult>;
  viewerContext(): Promise<BrowserContext>;
  snapshot(context: BrowserContext, nodes: number): Promise<SnapshotResult>;
  close(): Promise<void>;
}

/** WebSocket framing a browser adds to a client frame of `len` payload bytes (2 + 4 mask + ext len). */
export function clientFrameOverhead(len: number): number {
  return 6 + (len < 126 ? 0 : len < 65536 ? 2 : 8);
}
