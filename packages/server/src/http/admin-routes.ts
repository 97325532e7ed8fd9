import type { FastifyInstance, FastifyReply } from 'fastify';
import * as v from 'valibot';
import { BUILT_IN_ROLES, PERMISSIONS } from '@samepage/protocol';
import type { AdminStore } from '../admin-store.ts';
import type { CollabStore } from '../collab-store.ts';
import type { Store } from '../store.ts';
import type { TenantStore } from '../tenant-store.ts';
import type { Relay } from '../relay/relay.ts';
import { hashPassword } from '../auth/passwords.ts';
import { sendError } from './errors.ts';
import type { Caller, Guard } from './require-user.ts';
import { parseBody, schemas } from './admin-schemas.ts';

export interface AdminDeps {
  guard: Guard;
  store: Store;
  collab: CollabStore;
  admin: AdminStore;
  tenants: TenantStore;
  relay: Relay;
}

/** Users, roles and data rights. Every route is scoped to the caller's tenant and checks a permission. */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps) {
  const { guard, store, collab, admin, tenants, relay } = deps;
  const audit = (caller: Caller, action: string, detail: Record<string, unknown>) => store.audit(caller.user.tenantId, { type: 'user', id: caller.user.id }, action, null, detail);

  async function roleExists(tenantId: string, key: string): Promise<boolean> {
    return !!BUILT_IN_ROLES[key] || (await admin.listCustomRoles(tenantId)).some((r) => r.key === key);
  }
  async function seatsFull(tenantId: string): Promise<boolean> {
    const plan = await tenants.getPlan(tenantId);
    return plan.kind === 'seats' && (await tenants.countActiveAgents(tenantId)) >= plan.limit;
  }

  app.get('/api/users', async (request, reply) => {
    const caller = await guard(request, reply, 'users.manage');
    if (!caller) return;
    return { users: await admin.listUsers(caller.user.tenantId) };
  });

  app.post('/api/users', async (request, reply) => {
    const caller = await guard(request, reply, 'users.manage');
    if (!caller) return;
    const body = parseBody(schemas.createUser, request.body, reply);
    if (!body) return;
    const tenantId = caller.user.tenantId;
    if (!(await roleExists(tenantId, body.role))) return sendError(reply, 'invalid_request', `There is no role "${body.role}".`);
    if (await store.findUserByEmail(body.email)) return sendError(reply, 'conflict', 'A user with this email already exists.');
    if (await seatsFull(tenantId)) return sendError(reply, 'seat_limit_reached');
    const user = await store.createUser({ tenantId, email: body.email, name: body.name, role: body.role, passwordHash: await hashPassword(body.password) });
    await audit(caller, 'user.create', { userId: user.id, email: user.email, role: user.role });
    return reply.code(201).send({ user: { id: user.id, email: user.email, name: user.name, role: user.role, disabled: false } });
  });

  app.patch('/api/users/:id', async (request, reply) => {
    const caller = await guard(request, reply, 'users.manage');
    if (!caller) return;
    const body = parseBody(schemas.updateUser, request.body, reply);
    if (!body) return;
    const { id } = request.params as { id: string };
    const tenantId = caller.user.tenantId;
    const target = await store.getUser(tenantId, id);
    if (!target) return sendError(reply, 'not_found', 'No such user.');
    if (body.role !== undefined && !(await roleExists(tenantId, body.role))) return sendError(reply, 'invalid_request', `There is no role "${body.role}".`);
    if (body.disabled === false && target.disabled && (await seatsFull(tenantId))) return sendError(reply, 'seat_limit_reached');
    if (target.id === caller.user.id && (body.disabled || (body.role && body.role !== target.role))) return sendError(reply, 'invalid_request', 'You cannot disable yourself or change your own role.');
    await admin.updateUser(tenantId, id, { name: body.name, role: body.role, disabled: body.disabled, passwordHash: body.password ? await hashPassword(body.password) : undefined });
    if (body.disabled || body.password) {
      await admin.deleteAuthSessionsOf(tenantId, id);
      relay.disconnectUser(id, body.disabled ? 'forbidden' : 'unauthorized');
    } else if (body.role) {
      relay.disconnectUser(id, 'unauthorized');
    }
    await audit(caller, body.disabled === true ? 'user.disable' : body.disabled === false ? 'user.enable' : 'user.update', { userId: id, changes: { ...body, password: body.password ? 'changed' : undefined } });
    return { user: (await admin.listUsers(tenantId)).find((u) => u.id === id) };
  });

  app.post('/api/auth/logout-all', async (request, reply) => {
    const caller = await guard(request, reply);
    if (!caller) return;
    await admin.deleteAuthSessionsOf(caller.user.tenantId, caller.user.id);
    relay.disconnectUser(caller.user.id, 'unauthorized');
    await audit(caller, 'user.logout_all', { userId: caller.user.id });
    reply.header('set-cookie', 'sp_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0');
    return reply.code(204).send();
  });

  app.get('/api/roles', async (request, reply) => {
    const caller = await guard(request, reply);
    if (!caller) return;
    if (!caller.role.permissions.includes('roles.manage') && !caller.role.permissions.includes('users.manage')) return sendError(reply, 'forbidden');
    const builtIn = Object.entries(BUILT_IN_ROLES).map(([key, r]) => ({ key, title: r.title, permissions: [...r.permissions], builtIn: true }));
    const custom = (await admin.listCustomRoles(caller.user.tenantId)).map((r) => ({ ...r, builtIn: false }));
    return { roles: [...builtIn, ...custom], permissions: PERMISSIONS };
  });

  app.post('/api/roles', async (request, reply) => {
    const caller = await guard(request, reply, 'roles.manage');
    if (!caller) return;
    const body = parseBody(schemas.createRole, request.body, reply);
    if (!body) return;
    if (await roleExists(caller.user.tenantId, body.key)) return sendError(reply, 'conflict', 'A role with this key already exists.');
    await collab.createRole(caller.user.tenantId, body.key, body.title, body.permissions);
    await audit(caller, 'role.create', { key: body.key, permissions: body.permissions });
    return reply.code(201).send({ role: { ...body, builtIn: false } });
  });

  app.patch('/api/roles/:key', async (request, reply) => {
    const caller = await guard(request, reply, 'roles.manage');
    if (!caller) return;
    const { key } = request.params as { key: string };
    if (BUILT_IN_ROLES[key]) return sendError(reply, 'invalid_request', 'Built-in roles cannot be changed; create a custom role.');
    const body = parseBody(schemas.updateRole, request.body, reply);
    if (!body) return;
    if (!(await admin.updateRole(caller.user.tenantId, key, body))) return sendError(reply, 'not_found', 'No such role.');
    await audit(caller, 'role.update', { key, changes: body });
    return { role: (await admin.listCustomRoles(caller.user.tenantId)).find((r) => r.key === key) };
  });

  app.delete('/api/roles/:key', async (request, reply) => {
    const caller = await guard(request, reply, 'roles.manage');
    if (!caller) return;
    const { key } = request.params as { key: string };
    if (BUILT_IN_ROLES[key]) return sendError(reply, 'invalid_request', 'Built-in roles cannot be deleted.');
    if ((await admin.countUsersWithRole(caller.user.tenantId, key)) > 0) return sendError(reply, 'conflict', 'Users still have this role.');
    if (!(await admin.deleteRole(caller.user.tenantId, key))) return sendError(reply, 'not_found', 'No such role.');
    await audit(caller, 'role.delete', { key });
    return reply.code(204).send();
  });

  const visitorRoute = async (request: import('fastify').FastifyRequest, reply: FastifyReply) => {
    const caller = await guard(request, reply, 'users.manage');
    if (!caller) return null;
    const { id } = request.params as { id: string };
    return { caller, id };
  };
  app.get('/api/visitors/:id/export', async (request, reply) => {
    const r = await visitorRoute(request, reply);
    if (!r) return;
    const data = await admin.exportVisitor(r.caller.user.tenantId, r.id);
    if (data.sessions.length === 0) return sendError(reply, 'not_found', 'No data is stored for this visitor.');
    await audit(r.caller, 'visitor.export', { visitorId: r.id });
    return data;
  });
  app.delete('/api/visitors/:id/data', async (request, reply) => {
    const r = await visitorRoute(request, reply);
    if (!r) return;
    const deleted = await admin.deleteVisitor(r.caller.user.tenantId, r.id);
    await audit(r.caller, 'visitor.delete', { visitorId: r.id, deleted });
    return { deleted };
  });
}
