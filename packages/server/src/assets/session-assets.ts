/**
 * Assets the customer's tab supplies (SDK option `inlineAssets`): the tab announces the URLs it
 * is about to upload, then uploads each. They live in the shared LRU under the session's own
 * prefix, so they are only ever served to that session's agents. A proxy request for an
 * announced URL waits a little for its upload instead of fetching the site itself.
 */
import type { AssetCache, CachedAsset } from './asset-cache.ts';

interface Announced {
  urls: Set<string>;
  waiters: Map<string, Array<(asset: CachedAsset | null) => void>>;
  uploadedBytes: number;
}

/** Announced URLs kept per session; more are ignored (the proxy then fetches them itself). */
export const MAX_ANNOUNCED_URLS = 2000;

export class SessionAssets {
  private readonly sessions = new Map<string, Announced>();

  constructor(
    private readonly cache: AssetCache,
    private readonly sessionBytes: number,
  ) {}

  static key(sessionId: string, url: string): string {
    return `s:${sessionId}:${url}`;
  }

  announce(sessionId: string, urls: readonly string[]): void {
    const s = this.state(sessionId);
    for (const url of urls) if (s.urls.size < MAX_ANNOUNCED_URLS) s.urls.add(url);
  }

  /** Stores an upload; false when the session's upload budget is spent. */
  store(sessionId: string, url: string, bytes: Buffer, contentType: string): boolean {
    const s = this.state(sessionId);
    if (s.uploadedBytes + bytes.byteLength > this.sessionBytes) return false;
    s.uploadedBytes += bytes.byteLength;
    s.urls.add(url);
    this.cache.set(SessionAssets.key(sessionId, url), bytes, contentType);
    const asset = this.cache.get(SessionAssets.key(sessionId, url));
    for (const wake of s.waiters.get(url) ?? []) wake(asset);
    s.waiters.delete(url);
    return true;
  }

  /** The uploaded asset; for an announced URL not here yet, waits up to `waitMs` for it. */
  async get(sessionId: string, url: string, waitMs: number): Promise<CachedAsset | null> {
    const cached = this.cache.get(SessionAssets.key(sessionId, url));
    const s = this.sessions.get(sessionId);
    if (cached || !s || !s.urls.has(url) || waitMs <= 0) return cached;
    return new Promise((resolve) => {
      const list = s.waiters.get(url) ?? [];
      let done = false;
      const finish = (asset: CachedAsset | null) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(asset);
      };
      const timer = setTimeout(() => {
        const left = (s.waiters.get(url) ?? []).filter((w) => w !== finish);
        if (left.length) s.waiters.set(url, left);
        else s.waiters.delete(url);
        finish(null);
      }, waitMs);
      timer.unref?.();
      list.push(finish);
      s.waiters.set(url, list);
    });
  }

  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  /** The session ended: its uploads go, and anyone waiting gets nothing. */
  forget(sessionId: string): void {
    const s = this.sessions.get(sessionId);
    if (s) for (const list of s.waiters.values()) for (const wake of list) wake(null);
    this.sessions.delete(sessionId);
    this.cache.deletePrefix(`s:${sessionId}:`);
  }

  private state(sessionId: string): Announced {
    let s = this.sessions.get(sessionId);
    if (!s) this.sessions.set(sessionId, (s = { urls: new Set(), waiters: new Map(), uploadedBytes: 0 }));
    return s;
  }
}
