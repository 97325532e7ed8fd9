import { BUILT_IN_ROLES, PERMISSIONS } from '@samepage/protocol';
import { hashPassword } from '../auth/passwords.ts';
import type { ApiDeps } from './api-deps.ts';
import { schemas } from './admin-schemas.ts';
import { responses } from './api-schemas.ts';
import { route, type ApiRoute } from './route-table.ts';
import { followupsOf } from './followup-routes.ts';

async function roleExists({ admin }: ApiDeps, tenantId: string, key: string): Promise<boolean> {
  return !!BUILT_IN_ROLES[key] || (await admin.listCustomRoles(tenantId)).some((r) => r.key === key);
}
async function seatsFull({ tenants }: ApiDeps, tenantId: string): Promise<boolean> {
  const plan = await tenants.getPlan(tenantId);
  return plan.kind === 'seats' && (await tenants.countActiveAgents(tenantId)) >= plan.limit;
}

/** Users, roles and data rights. Every route is scoped to the caller's tenant and checks a permission. */
export const adminRoutes: ApiRoute[] = [
  route({
    method: 'GET',
    path: '/users',
    permission: 'users.manage',
    tag: 'users',
    summary: 'List the users of the tenant',
    response: responses.users,
    handle: async ({ caller, deps }) => ({ users: await deps.admin.listUsers(caller.tenantId) }),
  }),

  route({
    method: 'POST',
    path: '/users',
    permission: 'users.manage',
    tag: 'users',
    summary: 'Create a user (takes a seat on a seats plan)',
    body: schemas.createUser,
    response: responses.user,
    status: 201,
    async handle({ caller, deps, body, fail, audit }) {
      const { tenantId } = caller;
      if (!(await roleExists(deps, tenantId, body.role))) return fail('invalid_request', `There is no role "${body.role}".`);
      if (await deps.store.findUserByEmail(body.email)) return fail('conflict', 'A user with this email already exists.');
      if (await seatsFull(deps, tenantId)) return fail('seat_limit_reached');
      const user = await deps.store.createUser({ tenantId, email: body.email, name: body.name, role: body.role, passwordHash: await hashPassword(body.password) });
      await audit('user.create', { userId: user.id, email: user.email, role: user.role });
      return { user: { id: user.id, email: user.email, name: user.name, role: user.role, disabled: false } };
    },
  }),

  route({
    method: 'PATCH',
    path: '/users/:id',
    permission: 'users.manage',
    tag: 'users',
    summary: 'Change a user: name, role, password, or disable/enable',
    body: schemas.updateUser,
    response: responses.user,
    async handle({ caller, deps, body, params, fail, audit }) {
      const { tenantId } = caller;
      const id = params.id ?? '';
      const target = await deps.store.getUser(tenantId, id);
      if (!target) return fail('not_found', 'No such user.');
      if (body.role !== undefined && !(await roleExists(deps, tenantId, body.role))) return fail('invalid_request', `There is no role "${body.role}".`);
      if (body.disabled === false && target.disabled && (await seatsFull(deps, tenantId))) return fail('seat_limit_reached');
      if (caller.kind === 'user' && target.id === caller.id && (body.disabled || (body.role && body.role !== target.role))) {
        return fail('invalid_request', 'You cannot disable yourself or change your own role.');
      }
      await deps.admin.updateUser(tenantId, id, { name: body.name, role: body.role, disabled: body.disabled, passwordHash: body.password ? await hashPassword(body.password) : undefined });
      if (body.disabled || body.password) {
        await deps.admin.deleteAuthSessionsOf(tenantId, id);
        deps.relay.disconnectUser(id, body.disabled ? 'forbidden' : 'unauthorized');
      } else if (body.role) {
        deps.relay.disconnectUser(id, 'unauthorized');
      }
      const action = body.disabled === true ? 'user.disable' : body.disabled === false ? 'user.enable' : 'user.update';
      await audit(action, { userId: id, changes: { ...body, password: body.password ? 'changed' : undefined } });
      return { user: (await deps.admin.listUsers(tenantId)).find((u) => u.id === id) };
    },
  }),

  route({
    method: 'POST',
    path: '/auth/logout-all',
    tag: 'users',
    summary: 'Log the current user out everywhere',
    status: 204,
    on: ['console'],
    async handle({ caller, deps, reply, audit }) {
      await deps.admin.deleteAuthSessionsOf(caller.tenantId, caller.id);
      deps.relay.disconnectUser(caller.id, 'unauthorized');
      await audit('user.logout_all', { userId: caller.id });
      reply.header('set-cookie', 'sp_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0');
    },
  }),

  route({
    method: 'GET',
    path: '/roles',
    permission: ['roles.manage', 'users.manage'],
    tag: 'roles',
    summary: 'List built-in and custom roles, and every permission',
    response: responses.roles,
    async handle({ caller, deps }) {
      const builtIn = Object.entries(BUILT_IN_ROLES).map(([key, r]) => ({ key, title: r.title, permissions: [...r.permissions], builtIn: true }));
      const custom = (await deps.admin.listCustomRoles(caller.tenantId)).map((r) => ({ ...r, builtIn: false }));
      return { roles: [...builtIn, ...custom], permissions: PERMISSIONS };
    },
  }),

  route({
    method: 'POST',
    path: '/roles',
    permission: 'roles.manage',
    tag: 'roles',
    summary: 'Create a custom role',
    body: schemas.createRole,
    response: responses.role,
    status: 201,
    async handle({ caller, deps, body, fail, audit }) {
      if (await roleExists(deps, caller.tenantId, body.key)) return fail('conflict', 'A role with this key already exists.');
      await deps.collab.createRole(caller.tenantId, body.key, body.title, body.permissions);
      await audit('role.create', { key: body.key, permissions: body.permissions });
      return { role: { ...body, builtIn: false } };
    },
  }),

  route({
    method: 'PATCH',
    path: '/roles/:key',
    permission: 'roles.manage',
    tag: 'roles',
    summary: 'Change a custom role',
    body: schemas.updateRole,
    on: ['console'],
    async handle({ caller, deps, body, params, fail, audit }) {
      const key = params.key ?? '';
      if (BUILT_IN_ROLES[key]) return fail('invalid_request', 'Built-in roles cannot be changed; create a custom role.');
      if (!(await deps.admin.updateRole(caller.tenantId, key, body))) return fail('not_found', 'No such role.');
      await audit('role.update', { key, changes: body });
      return { role: (await deps.admin.listCustomRoles(caller.tenantId)).find((r) => r.key === key) };
    },
  }),

  route({
    method: 'DELETE',
    path: '/roles/:key',
    permission: 'roles.manage',
    tag: 'roles',
    summary: 'Delete a custom role no user has',
    status: 204,
    on: ['console'],
    async handle({ caller, deps, params, fail, audit }) {
      const key = params.key ?? '';
      if (BUILT_IN_ROLES[key]) return fail('invalid_request', 'Built-in roles cannot be deleted.');
      if ((await deps.admin.countUsersWithRole(caller.tenantId, key)) > 0) return fail('conflict', 'Users still have this role.');
      if (!(await deps.admin.deleteRole(caller.tenantId, key))) return fail('not_found', 'No such role.');
      await audit('role.delete', { key });
    },
  }),

  route({
    method: 'GET',
    path: '/visitors/:id/export',
    permission: 'users.manage',
    tag: 'visitors',
    summary: "Export everything stored about a visitor id (from Samepage.identify): sessions, chat, notes, left messages",
    response: responses.visitorExport,
    async handle({ caller, deps, params, fail, audit }) {
      const id = params.id ?? '';
      const data = await deps.admin.exportVisitor(caller.tenantId, id);
      const messages = await followupsOf(deps).exportVisitor(caller.tenantId, id);
      if (data.sessions.length === 0 && messages.length === 0) return fail('not_found', 'No data is stored for this visitor.');
      await audit('visitor.export', { visitorId: id });
      return { ...data, messages };
    },
  }),

  route({
    method: 'DELETE',
    path: '/visitors/:id/data',
    permission: 'users.manage',
    tag: 'visitors',
    summary: "Delete a visitor's sessions, chat, notes and left messages",
    response: responses.visitorDeleted,
    async handle({ caller, deps, params, audit }) {
      const id = params.id ?? '';
      const deleted = { ...(await deps.admin.deleteVisitor(caller.tenantId, id)), messages: await followupsOf(deps).deleteVisitor(caller.tenantId, id) };
      await audit('visitor.delete', { visitorId: id, deleted });
      return { deleted };
    },
  }),
];
