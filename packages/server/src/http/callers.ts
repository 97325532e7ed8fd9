import type { Permission } from '@samepage/protocol';
import type { ApiStore } from '../api-store.ts';
import { sendError } from './errors.ts';
import type { Guard } from './require-user.ts';
import type { ApiCaller, CallerGuard } from './route-table.ts';

const allows = (held: readonly Permission[], anyOf: readonly Permission[]) => anyOf.length === 0 || anyOf.some((p) => held.includes(p));

/** The console's caller: the login cookie's user and the permissions of their role. */
export function cookieCallerGuard(guard: Guard): CallerGuard {
  return async (request, reply, anyOf) => {
    const found = await guard(request, reply);
    if (!found) return null;
    if (!allows(found.role.permissions, anyOf)) {
      sendError(reply, 'forbidden', `Your role does not allow this (${anyOf.join(' or ')}).`);
      return null;
    }
    const { user, role } = found;
    return { kind: 'user', tenantId: user.tenantId, id: user.id, name: user.name, actor: { type: 'user', id: user.id }, permissions: role.permissions } satisfies ApiCaller;
  };
}

/** The public API's caller: `Authorization: Bearer sp_…`, an active token of one tenant. Cookies are ignored. */
export function tokenCallerGuard(api: ApiStore): CallerGuard {
  return async (request, reply, anyOf) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const token = match?.[1] ? await api.findToken(match[1]) : null;
    if (!token) {
      reply.header('www-authenticate', 'Bearer realm="samepage"');
      sendError(reply, 'unauthorized', match ? 'The API token is unknown or revoked.' : 'Send an API token: Authorization: Bearer sp_…');
      return null;
    }
    if (!allows(token.permissions, anyOf)) {
      sendError(reply, 'forbidden', `The API token does not allow this (${anyOf.join(' or ')}).`);
      return null;
    }
    return { kind: 'token', tenantId: token.tenantId, id: token.id, name: token.name, actor: { type: 'api_token', id: token.id }, permissions: token.permissions } satisfies ApiCaller;
  };
}
