/**
 * Records every WebSocket frame a customer tab sends, as CDP reports it (the payload the page
 * handed to `send`, before any permessage-deflate), with the time it was seen.
 */
import type { Page } from 'playwright-core';

export interface TappedFrame {
  /** Date.now() in the bench process when CDP reported the frame. */
  at: number;
  text: string | null;
  binary: Buffer | null;
}

export interface FrameTap {
  frames: TappedFrame[];
  /** The frames seen between two Date.now() instants. */
  between(start: number, end: number): TappedFrame[];
}

/** Attach before the page navigates; `urlPrefix` picks the socket (ws://HOST/ws, ws://HOST/relay). */
export function tapSocketFrames(page: Page, urlPrefix: string): FrameTap {
  const frames: TappedFrame[] = [];
  page.on('websocket', (ws) => {
    if (!ws.url().startsWith(urlPrefix)) return;
    ws.on('framesent', ({ payload }) => {
      frames.push(typeof payload === 'string' ? { at: Date.now(), text: payload, binary: null } : { at: Date.now(), text: null, binary: Buffer.from(payload) });
    });
  });
  return { frames, between: (start, end) => frames.filter((f) => f.at >= start && f.at <= end) };
}
