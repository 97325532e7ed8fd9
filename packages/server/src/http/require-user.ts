import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Permission } from '@samepage/protocol';
import type { CollabStore, RoleInfo } from '../collab-store.ts';
import type { Store, UserRecord } from '../store.ts';
import { AUTH_COOKIE, readCookie } from './cookies.ts';
import { sendError } from './errors.ts';

export interface Caller {
  user: UserRecord;
  role: RoleInfo;
}

/**
 * Resolves the logged-in user and checks one permission. Answers 401/403 itself and returns
 * null when the request may not go on.
 */
export function createGuard(store: Store, collab: CollabStore) {
  return async (request: FastifyRequest, reply: FastifyReply, permission?: Permission): Promise<Caller | null> => {
    const token = readCookie(request.headers.cookie, AUTH_COOKIE);
    const user = token ? await store.findUserByAuthToken(token) : null;
    if (!user) {
      sendError(reply, 'unauthorized');
      return null;
    }
    const role = await collab.resolveRole(user.tenantId, user.role);
    if (permission && !role.permissions.includes(permission)) {
      sendError(reply, 'forbidden', `Your role does not allow this (${permission}).`);
      return null;
    }
    return { user, role };
  };
}

export type Guard = ReturnType<typeof createGuard>;
