import type { FastifyInstance } from 'fastify';
import { adminRoutes } from './admin-routes.ts';
import type { ApiDeps } from './api-deps.ts';
import { cookieCallerGuard, tokenCallerGuard } from './callers.ts';
import { integrationRoutes } from './integration-routes.ts';
import { buildOpenApi } from './openapi.ts';
import type { Guard } from './require-user.ts';
import { mountRoutes, type ApiRoute } from './route-table.ts';
import { recordingRoutes } from './recording-routes.ts';
import { sessionRoutes } from './session-routes.ts';
import { tenantRoutes } from './tenant-routes.ts';
import { sharedBrowserRoutes } from '../shared-browser/routes.ts';
import { e2eeRoutes } from './e2ee-routes.ts';
import { followupRoutes } from './followup-routes.ts';
import { shareRoutes } from './share-routes.ts';

/** Every route of both surfaces; each says where it is served. */
export const API_ROUTES: ApiRoute[] = [...sessionRoutes, ...recordingRoutes, ...adminRoutes, ...tenantRoutes, ...integrationRoutes, ...sharedBrowserRoutes, ...e2eeRoutes, ...followupRoutes, ...shareRoutes];

/**
 * The console's API under /api (login cookie + CSRF header) and the public API under /api/v1
 * (API tokens), from the same route table, plus the OpenAPI document of the latter.
 */
export function registerApi(app: FastifyInstance, deps: ApiDeps, guard: Guard): void {
  mountRoutes(app, API_ROUTES, 'console', '/api', cookieCallerGuard(guard), deps);
  mountRoutes(app, API_ROUTES, 'v1', '/api/v1', tokenCallerGuard(deps.api), deps);
  const doc = buildOpenApi(API_ROUTES);
  app.get('/api/v1/openapi.json', async (_request, reply) => reply.header('access-control-allow-origin', '*').send(doc));
}
