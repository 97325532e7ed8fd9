import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config.ts';
import type { Store, UserRecord } from '../store.ts';
import { verifyPassword } from '../auth/passwords.ts';
import { newSecret } from '../ids.ts';
import { RateLimiter } from '../rate-limiter.ts';
import { AUTH_COOKIE, authCookie, clearedAuthCookie, readCookie } from './cookies.ts';
import { sendError } from './errors.ts';
import { createCollabStore } from '../collab-store.ts';

export function publicUser(user: UserRecord) {
  return { id: user.id, name: user.name, email: user.email, tenantId: user.tenantId, role: user.role };
}

/** Resolves the login cookie of an HTTP request or a WebSocket upgrade. */
export function createAuthenticator(store: Store) {
  return async (req: IncomingMessage): Promise<UserRecord | null> => {
    const token = readCookie(req.headers.cookie, AUTH_COOKIE);
    return token ? store.findUserByAuthToken(token) : null;
  };
}

function isSecure(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

export function registerAuthRoutes(app: FastifyInstance, config: Config, store: Store) {
  const loginLimiter = new RateLimiter(config.loginAttemptsPerMinute, 60_000);
  // Failures per email, whatever the address: a lockout against password guessing.
  const lockout = new RateLimiter(config.loginLockoutFailures, 15 * 60_000);
  const authenticate = createAuthenticator(store);
  // The console shows only the pages a role may use (the routes still check each permission).
  const collab = createCollabStore(store.db);
  const withPermissions = async (user: UserRecord) => ({ ...publicUser(user), permissions: (await collab.resolveRole(user.tenantId, user.role)).permissions });

  app.post('/api/auth/login', async (request, reply) => {
    const body = request.body as { email?: unknown; password?: unknown } | undefined;
    const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
    const password = typeof body?.password === 'string' ? body.password : '';
    const key = `${request.ip}:${email}`;
    if (!loginLimiter.hit(key)) return sendError(reply, 'rate_limited');
    if (email && lockout.isBlocked(email)) return sendError(reply, 'account_locked');
    const user = email && password ? await store.findUserByEmail(email) : null;
    const ok = user && !user.disabled && (await verifyPassword(user.passwordHash, password));
    if (!user || !ok) {
      if (email) lockout.hit(email);
      if (user) await store.audit(user.tenantId, { type: 'user', id: user.id }, 'login.failed', null, { ip: request.ip, locked: lockout.isBlocked(email) });
      return sendError(reply, lockout.isBlocked(email) ? 'account_locked' : 'invalid_credentials');
    }
    loginLimiter.reset(key);
    lockout.reset(email);
    const token = newSecret();
    await store.createAuthSession(user, token, config.authSessionTtlMs);
    await store.audit(user.tenantId, { type: 'user', id: user.id }, 'login.succeeded', null, { ip: request.ip });
    reply.header('set-cookie', authCookie(token, config.authSessionTtlMs, isSecure(request)));
    return { user: await withPermissions(user) };
  });

  app.get('/api/auth/me', async (request, reply) => {
    const user = await authenticate(request.raw);
    if (!user) return sendError(reply, 'unauthorized');
    return { user: await withPermissions(user) };
  });

  app.post('/api/auth/logout', async (request, reply) => {
    const token = readCookie(request.headers.cookie, AUTH_COOKIE);
    if (token) await store.deleteAuthSession(token);
    reply.header('set-cookie', clearedAuthCookie(isSecure(request)));
    return reply.code(204).send();
  });
}
