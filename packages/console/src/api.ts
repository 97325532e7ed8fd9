/** The console's HTTP API calls (same origin, cookie auth, CSRF header on every change). */

export interface User {
  id: string;
  name: string;
  email: string;
  tenantId: string;
  role: string;
  /** The role's permissions (from /api/auth/me and login); empty when the server sent none. */
  permissions: string[];
}

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid_credentials' | 'rate_limited' | 'failed' };

const jsonHeaders = { 'content-type': 'application/json', 'x-samepage-csrf': '1' };

function readUser(body: unknown): User | null {
  const user = (body as { user?: unknown } | null)?.user as Partial<User> | undefined;
  if (!user || typeof user.id !== 'string' || typeof user.name !== 'string') return null;
  return {
    id: user.id,
    name: user.name,
    email: typeof user.email === 'string' ? user.email : '',
    tenantId: typeof user.tenantId === 'string' ? user.tenantId : '',
    role: typeof user.role === 'string' ? user.role : '',
    permissions: Array.isArray(user.permissions) ? user.permissions.filter((p): p is string => typeof p === 'string') : [],
  };
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown;
  } catch {
    return null;
  }
}

export async function fetchCurrentUser(): Promise<User | null> {
  try {
    const response = await fetch('/api/auth/me', { credentials: 'same-origin' });
    if (!response.ok) return null;
    return readUser(await readJson(response));
  } catch {
    return null;
  }
}

export async function logIn(email: string, password: string): Promise<LoginResult> {
  let response: Response;
  try {
    response = await fetch('/api/auth/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: jsonHeaders,
      body: JSON.stringify({ email, password }),
    });
  } catch {
    return { ok: false, reason: 'failed' };
  }
  if (response.status === 401) return { ok: false, reason: 'invalid_credentials' };
  if (response.status === 429) return { ok: false, reason: 'rate_limited' };
  const user = response.ok ? readUser(await readJson(response)) : null;
  return user ? { ok: true, user } : { ok: false, reason: 'failed' };
}

export async function logOut(): Promise<void> {
  try {
    await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin', headers: jsonHeaders, body: '{}' });
  } catch {
    // The cookie may survive a network error; the next /me call tells.
  }
}

/** Ends every login of the current user (all browsers), including this one. */
export async function logOutEverywhere(): Promise<boolean> {
  try {
    const response = await fetch('/api/auth/logout-all', { method: 'POST', credentials: 'same-origin', headers: jsonHeaders, body: '{}' });
    return response.ok;
  } catch {
    return false;
  }
}
