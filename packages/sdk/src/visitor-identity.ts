/**
 * The identity set by `Samepage.identify()`, kept per tab in sessionStorage so a page load
 * keeps it, and sent in `visitor_hello`, `visitor_update` and `host_hello.visitor`.
 * Shared by the loader and the capture bundle; every storage access is guarded.
 */
import type { VisitorIdentity } from '@samepage/protocol';
import { json } from './safe-json.ts';

export const IDENTITY_STORAGE_KEY = 'samepage:identity';

const clip = (value: unknown, max: number): string | undefined => (typeof value === 'string' && value ? value.slice(0, max) : undefined);

/** Keeps only the known fields, as strings within the protocol's limits. */
export function cleanIdentity(input: unknown): VisitorIdentity | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const raw = input as Record<string, unknown>;
  const out: VisitorIdentity = {};
  const id = clip(raw['id'], 256);
  const name = clip(raw['name'], 200);
  const email = clip(raw['email'], 200);
  if (id) out.id = id;
  if (name) out.name = name;
  if (email) out.email = email;
  return id || name || email ? out : undefined;
}

export function readIdentity(): VisitorIdentity | undefined {
  try {
    return cleanIdentity(json().parse(sessionStorage.getItem(IDENTITY_STORAGE_KEY) ?? 'null'));
  } catch {
    return undefined;
  }
}

export function writeIdentity(identity: VisitorIdentity | undefined): void {
  try {
    if (identity) sessionStorage.setItem(IDENTITY_STORAGE_KEY, json().stringify(identity));
    else sessionStorage.removeItem(IDENTITY_STORAGE_KEY);
  } catch {
    // Storage disabled: identify() still works for this page.
  }
}
