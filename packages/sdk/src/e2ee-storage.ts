/**
 * What the customer's tab keeps across page loads of an encrypted session: the highest epoch
 * number it used and the agent it gave control to (sessionStorage: per tab, never sent), and the
 * verified pairwise links (IndexedDB, as non-extractable CryptoKeys: usable by this origin,
 * never readable as bytes), so a page load does not make the customer compare codes again.
 * Every access is guarded; without storage the session still works, it just asks again.
 */
import type { PairwiseLink } from '@samepage/protocol/e2ee';

const EPOCH_KEY = 'samepage:e2ee-epoch:';
const GRANT_KEY = 'samepage:e2ee-grant:';
const DB_NAME = 'samepage-e2ee';
const STORE = 'links';
/** Links of sessions older than this are dropped when the store is opened. */
const MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface StoredLink {
  sessionId: string;
  member: number;
  participantId: string;
  link: PairwiseLink;
  savedAt: number;
}

function read(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // Storage disabled or full.
  }
}

export function readHighWater(sessionId: string): number | null {
  const n = Number(read(EPOCH_KEY + sessionId));
  return Number.isInteger(n) && n > 0 ? n : null;
}

export function writeHighWater(sessionId: string, epoch: number): void {
  if (epoch > (readHighWater(sessionId) ?? -1)) write(EPOCH_KEY + sessionId, String(epoch));
}

export function readGrant(sessionId: string): string | null {
  return read(GRANT_KEY + sessionId);
}

export function writeGrant(sessionId: string, participantId: string | null): void {
  write(GRANT_KEY + sessionId, participantId);
}

function openDb(): Promise<IDBDatabase | null> {
  return new Promise((resolve) => {
    try {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: ['sessionId', 'member'] });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => resolve(null);
      request.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
}

async function withStore<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest | null, fallback: T): Promise<T> {
  const db = await openDb();
  if (!db) return fallback;
  return new Promise<T>((resolve) => {
    try {
      const tx = db.transaction(STORE, mode);
      const request = run(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request ? ((request.result as T | undefined) ?? fallback) : fallback);
      tx.onerror = tx.onabort = () => resolve(fallback);
    } catch {
      resolve(fallback);
    }
  }).finally(() => db.close());
}

export function saveLink(entry: StoredLink): Promise<unknown> {
  return withStore<unknown>('readwrite', (store) => store.put(entry), undefined);
}

/** The session's links (and old sessions' links are dropped on the way). */
export async function loadLinks(sessionId: string, now = Date.now()): Promise<StoredLink[]> {
  const all = await withStore<StoredLink[]>('readonly', (store) => store.getAll(), []);
  const stale = all.filter((e) => now - e.savedAt > MAX_AGE_MS);
  if (stale.length) await withStore('readwrite', (store) => (stale.forEach((e) => store.delete([e.sessionId, e.member])), null), null);
  return all.filter((e) => e.sessionId === sessionId && now - e.savedAt <= MAX_AGE_MS);
}

/** The session ended (or an agent left): its links go. */
export function dropLinks(sessionId: string, member?: number): Promise<unknown> {
  return withStore<unknown>('readwrite', (store) => store.delete(member === undefined ? IDBKeyRange.bound([sessionId, 0], [sessionId, 0xffff]) : IDBKeyRange.only([sessionId, member])), undefined);
}

export function forgetSession(sessionId: string): void {
  write(EPOCH_KEY + sessionId, null);
  write(GRANT_KEY + sessionId, null);
  void dropLinks(sessionId).catch(() => undefined);
}
