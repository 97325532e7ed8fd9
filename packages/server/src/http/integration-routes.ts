import { checkWebhookUrl } from '../webhooks/private-address.ts';
import { schemas } from './admin-schemas.ts';
import { responses } from './api-schemas.ts';
import { route, type ApiRoute } from './route-table.ts';

/** API tokens (managed from the console only) and webhook endpoints. */
export const integrationRoutes: ApiRoute[] = [
  route({
    method: 'GET',
    path: '/tokens',
    permission: 'users.manage',
    tag: 'tokens',
    summary: 'List API tokens (never their secrets)',
    response: responses.tokens,
    on: ['console'],
    handle: async ({ caller, deps }) => ({ tokens: await deps.api.listTokens(caller.tenantId) }),
  }),

  route({
    method: 'POST',
    path: '/tokens',
    permission: 'users.manage',
    tag: 'tokens',
    summary: 'Create an API token; the secret `token` is in this answer only',
    body: schemas.createToken,
    response: responses.tokenCreated,
    status: 201,
    on: ['console'],
    async handle({ caller, deps, body, fail, audit }) {
      // A token cannot do more than the admin who makes it.
      const beyond = body.permissions.filter((p) => !caller.permissions.includes(p));
      if (beyond.length) return fail('forbidden', `You cannot give a token permissions you do not have (${beyond.join(', ')}).`);
      const { token, record } = await deps.api.createToken(caller.tenantId, body.name, [...new Set(body.permissions)]);
      await audit('api_token.create', { tokenId: record.id, name: record.name, permissions: record.permissions });
      return { token, record };
    },
  }),

  route({
    method: 'DELETE',
    path: '/tokens/:id',
    permission: 'users.manage',
    tag: 'tokens',
    summary: 'Revoke an API token; it stops working at once',
    status: 204,
    on: ['console'],
    async handle({ caller, deps, params, fail, audit }) {
      if (!(await deps.api.revokeToken(caller.tenantId, params.id ?? ''))) return fail('not_found', 'No such active token.');
      await audit('api_token.revoke', { tokenId: params.id });
    },
  }),

  route({
    method: 'GET',
    path: '/webhooks',
    permission: ['users.manage', 'sites.manage'],
    tag: 'webhooks',
    summary: 'List webhook endpoints',
    response: responses.webhooks,
    handle: async ({ caller, deps }) => ({ webhooks: await deps.api.listWebhooks(caller.tenantId) }),
  }),

  route({
    method: 'POST',
    path: '/webhooks',
    permission: ['users.manage', 'sites.manage'],
    tag: 'webhooks',
    summary: 'Add a webhook endpoint; the signing `secret` is in this answer only',
    body: schemas.createWebhook,
    response: responses.webhookCreated,
    status: 201,
    async handle({ caller, deps, body, fail, audit }) {
      const check = await checkWebhookUrl(body.url, deps.config.webhookAllowPrivate);
      if (!check.ok) return fail('invalid_request', `url: ${check.reason}`);
      const { record, secret } = await deps.api.createWebhook(caller.tenantId, check.url.href, [...new Set(body.events)]);
      await audit('webhook.create', { webhookId: record.id, url: record.url, events: record.events });
      return { webhook: record, secret };
    },
  }),

  route({
    method: 'PATCH',
    path: '/webhooks/:id',
    permission: ['users.manage', 'sites.manage'],
    tag: 'webhooks',
    summary: 'Change the URL or events of a webhook endpoint, or disable it',
    body: schemas.updateWebhook,
    response: responses.webhook,
    async handle({ caller, deps, body, params, fail, audit }) {
      const id = params.id ?? '';
      if (!(await deps.api.getWebhook(caller.tenantId, id))) return fail('not_found', 'No such webhook.');
      let url: string | undefined;
      if (body.url !== undefined) {
        const check = await checkWebhookUrl(body.url, deps.config.webhookAllowPrivate);
        if (!check.ok) return fail('invalid_request', `url: ${check.reason}`);
        url = check.url.href;
      }
      await deps.api.updateWebhook(caller.tenantId, id, { url, events: body.events, disabled: body.disabled });
      await audit('webhook.update', { webhookId: id, changes: body });
      return { webhook: await deps.api.getWebhook(caller.tenantId, id) };
    },
  }),

  route({
    method: 'DELETE',
    path: '/webhooks/:id',
    permission: ['users.manage', 'sites.manage'],
    tag: 'webhooks',
    summary: 'Delete a webhook endpoint and its pending deliveries',
    status: 204,
    async handle({ caller, deps, params, fail, audit }) {
      if (!(await deps.api.deleteWebhook(caller.tenantId, params.id ?? ''))) return fail('not_found', 'No such webhook.');
      await audit('webhook.delete', { webhookId: params.id });
    },
  }),

  route({
    method: 'GET',
    path: '/webhooks/:id/deliveries',
    permission: ['users.manage', 'sites.manage'],
    tag: 'webhooks',
    summary: 'Recent deliveries of a webhook endpoint, with attempts and the last status',
    response: responses.deliveries,
    async handle({ caller, deps, params, fail }) {
      const id = params.id ?? '';
      if (!(await deps.api.getWebhook(caller.tenantId, id))) return fail('not_found', 'No such webhook.');
      return { deliveries: await deps.api.listDeliveries(caller.tenantId, id) };
    },
  }),
];
