/**
 * A byte-bounded LRU of assets. Nothing else holds asset bytes, so this bound is the proxy's
 * memory. A Map keeps insertion order: a hit re-inserts, and eviction takes from the front.
 */

export interface CachedAsset {
  bytes: Buffer;
  contentType: string;
  /** When it was stored (ms); older than the cache's maxAgeMs counts as a miss. */
  storedAt: number;
}

export interface AssetCacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  hits: number;
  misses: number;
  evictions: number;
}

/** Per entry: the key and bookkeeping, roughly. */
const ENTRY_OVERHEAD = 256;

export class AssetCache {
  private readonly entries = new Map<string, CachedAsset>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(
    readonly maxBytes: number,
    private readonly maxAgeMs = 3600_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): CachedAsset | null {
    const entry = this.entries.get(key);
    if (!entry || this.now() - entry.storedAt > this.maxAgeMs) {
      if (entry) this.delete(key);
      this.misses += 1;
      return null;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits += 1;
    return entry;
  }

  /** Stores an asset, evicting the least recently used; one larger than the whole cache is not kept. */
  set(key: string, bytes: Buffer, contentType: string): boolean {
    const size = bytes.byteLength + ENTRY_OVERHEAD + key.length;
    this.delete(key);
    if (size > this.maxBytes) return false;
    while (this.bytes + size > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
      this.evictions += 1;
    }
    this.entries.set(key, { bytes, contentType, storedAt: this.now() });
    this.bytes += size;
    return true;
  }

  /** Drops every entry whose key starts with `prefix` (a session's uploads when it ends). */
  deletePrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.delete(key);
  }

  stats(): AssetCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, maxBytes: this.maxBytes, hits: this.hits, misses: this.misses, evictions: this.evictions };
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes.byteLength + ENTRY_OVERHEAD + key.length;
  }
}
