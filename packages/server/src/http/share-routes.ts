import type { Permission } from '@samepage/protocol';
import { createShareStore, type Share, type ShareTarget } from '../share-store.ts';
import { createRecordingStore } from '../recording-store.ts';
import type { ApiDeps } from './api-deps.ts';
import { followupsOf } from './followup-routes.ts';
import { inboxBodies, inboxResponses } from './followup-schemas.ts';
import { route, type ApiCaller, type ApiRoute } from './route-table.ts';
import { publicOrigin } from './session-routes.ts';

const stores = new WeakMap<object, ReturnType<typeof createShareStore>>();
function shares(deps: ApiDeps) {
  let store = stores.get(deps.store.db);
  if (!store) stores.set(deps.store.db, (store = createShareStore(deps.store.db)));
  return store;
}

/** What opening a shared session or message needs: the same permission as opening it directly. */
const NEEDS: Record<ShareTarget['type'], Permission> = { session: 'session.view', message: 'messages.view' };

/** A line that names the target in lists, or null when it is not (or no longer) in the tenant. */
async function describe(deps: ApiDeps, tenantId: string, target: ShareTarget): Promise<string | null> {
  if (target.type === 'message') {
    const found = await followupsOf(deps).get(tenantId, target.id);
    if (!found) return null;
    const who = found.message.visitor.name ?? found.message.visitor.email ?? found.message.visitor.id ?? 'A visitor';
    return `${who}: ${found.message.text.slice(0, 80)}`;
  }
  const detail = await deps.collab.getSessionDetail(tenantId, target.id);
  if (!detail) return null;
  const visitor = detail.session.visitor as { name?: string; id?: string } | null;
  return [detail.session.siteName, visitor?.name ?? visitor?.id].filter(Boolean).join(' · ') || target.id;
}

const may = (caller: ApiCaller, target: ShareTarget) => caller.permissions.includes(NEEDS[target.type]);

/** Share links: a session or a message handed to a colleague, who opens it later at /console/shared/:id. */
export const shareRoutes: ApiRoute[] = [
  route({
    method: 'POST',
    path: '/shares',
    permission: ['session.view', 'messages.view'],
    tag: 'shares',
    summary: 'Share a session or a message with a colleague (or the whole team) as a console link to pick up later',
    body: inboxBodies.share,
    response: inboxResponses.share,
    status: 201,
    async handle(ctx) {
      const { caller, deps, body, fail, audit } = ctx;
      if (!may(caller, body.target)) return fail('forbidden', `Sharing this needs ${NEEDS[body.target.type]}.`);
      if ((await describe(deps, caller.tenantId, body.target)) === null) return fail('not_found', `No such ${body.target.type}.`);
      if (body.toUserId) {
        const colleague = await deps.store.getUser(caller.tenantId, body.toUserId);
        if (!colleague || colleague.disabled) return fail('not_found', 'No such colleague.');
      }
      const share = await shares(deps).create(caller.tenantId, body.target, { id: caller.id, name: caller.name }, body.toUserId ?? null, body.note);
      await audit('share.create', { shareId: share.id, target: body.target, toUserId: share.toUserId }, body.target.type === 'session' ? body.target.id : null);
      return { share, url: `${publicOrigin(ctx)}/console/shared/${share.id}` };
    },
  }),

  route({
    method: 'GET',
    path: '/shares',
    permission: ['session.view', 'messages.view'],
    tag: 'shares',
    summary: 'What colleagues shared with me (or with the whole team), newest first',
    response: inboxResponses.shares,
    on: ['console'],
    async handle({ caller, deps }) {
      const list: Array<Share & { title: string }> = [];
      for (const share of await shares(deps).listFor(caller.tenantId, caller.id, 100)) {
        if (!may(caller, share.target)) continue;
        const title = await describe(deps, caller.tenantId, share.target);
        if (title !== null) list.push({ ...share, title });
      }
      return { shares: list };
    },
  }),

  route({
    method: 'GET',
    path: '/shares/colleagues',
    permission: ['session.view', 'messages.view'],
    tag: 'shares',
    summary: 'Active colleagues to share with (id and name only)',
    response: inboxResponses.colleagues,
    on: ['console'],
    async handle({ caller, deps }) {
      const users = await deps.admin.listUsers(caller.tenantId);
      return { colleagues: users.filter((u) => !u.disabled && u.id !== caller.id).map((u) => ({ id: u.id, name: u.name })) };
    },
  }),

  route({
    method: 'GET',
    path: '/shares/:id',
    permission: ['session.view', 'messages.view'],
    tag: 'shares',
    summary: 'Open a share link: the share and what it points to, if the caller may open that; the addressee’s first opening marks it picked up',
    response: inboxResponses.shareOpened,
    on: ['console'],
    async handle({ caller, deps, params, fail, audit }) {
      const share = await shares(deps).get(caller.tenantId, params.id ?? '');
      if (!share) return fail('not_found', 'No such share link.');
      if (!may(caller, share.target)) return fail('forbidden', `Opening this needs ${NEEDS[share.target.type]}.`);
      const title = await describe(deps, caller.tenantId, share.target);
      if (title === null) return fail('not_found', `The shared ${share.target.type} no longer exists.`);
      if (share.toUserId === null || share.toUserId === caller.id) await shares(deps).markPickedUp(caller.tenantId, share.id, caller.id);
      await audit('share.open', { shareId: share.id, target: share.target }, share.target.type === 'session' ? share.target.id : null);
      const session = share.target.type === 'session' ? deps.relay.sessions.get(share.target.id) : undefined;
      const recording = share.target.type === 'session' && caller.permissions.includes('recordings.view') && (await createRecordingStore(deps.store.db).get(caller.tenantId, share.target.id)) !== null;
      return { share: (await shares(deps).get(caller.tenantId, share.id)) ?? share, title, live: !!session && session.tenantId === caller.tenantId && !session.ended, recording };
    },
  }),
];
