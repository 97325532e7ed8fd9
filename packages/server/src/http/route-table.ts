import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as v from 'valibot';
import type { Permission } from '@samepage/protocol';
import type { AuditActor } from '../store.ts';
import { sendError } from './errors.ts';
import { parseBody } from './admin-schemas.ts';
import type { ApiDeps } from './api-deps.ts';

/**
 * Whoever makes a request: a logged-in console user (cookie) or an API token. Route handlers
 * see only this, so the console's `/api/…` and the public `/api/v1/…` share one implementation.
 */
export interface ApiCaller {
  kind: 'user' | 'token';
  tenantId: string;
  /** The user's id, or the token's id. */
  id: string;
  name: string;
  actor: AuditActor;
  permissions: readonly Permission[];
}

/** Resolves the caller and checks that it holds one of `anyOf`; answers 401/403 itself and returns null otherwise. */
export type CallerGuard = (request: FastifyRequest, reply: FastifyReply, anyOf: readonly Permission[]) => Promise<ApiCaller | null>;

type Out<S> = S extends v.GenericSchema ? v.InferOutput<S> : undefined;

export interface RouteContext<B, Q> {
  caller: ApiCaller;
  params: Record<string, string>;
  body: B;
  query: Q;
  request: FastifyRequest;
  reply: FastifyReply;
  deps: ApiDeps;
  /** Appends to the audit log as this caller. */
  audit(action: string, detail: Record<string, unknown>, sessionId?: string | null): Promise<void>;
  fail(code: Parameters<typeof sendError>[1], message?: string): FastifyReply;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteDef<B extends v.GenericSchema | undefined, Q extends v.GenericSchema | undefined> {
  method: Method;
  /** Relative to the mount point: `/users/:id` is `/api/users/:id` and `/api/v1/users/:id`. */
  path: string;
  /** The caller needs one of these; none means any authenticated caller. */
  permission?: Permission | Permission[];
  tag: string;
  summary: string;
  body?: B;
  query?: Q;
  /** The success body, for the OpenAPI document. */
  response?: v.GenericSchema;
  status?: 200 | 201 | 204;
  /** Where the route is served: the console's cookie API, the token API, or both (default). */
  on?: Array<'console' | 'v1'>;
  handle(ctx: RouteContext<Out<B>, Out<Q>>): Promise<unknown>;
}

export type ApiRoute = RouteDef<v.GenericSchema | undefined, v.GenericSchema | undefined>;

export function route<B extends v.GenericSchema | undefined = undefined, Q extends v.GenericSchema | undefined = undefined>(def: RouteDef<B, Q>): ApiRoute {
  return def as unknown as ApiRoute;
}

export function permissionsOf(r: ApiRoute): Permission[] {
  return r.permission === undefined ? [] : Array.isArray(r.permission) ? r.permission : [r.permission];
}

export function servedOn(r: ApiRoute, surface: 'console' | 'v1'): boolean {
  return (r.on ?? ['console', 'v1']).includes(surface);
}

/** Registers the routes of one surface under `prefix`, each behind `guard` and its permission. */
export function mountRoutes(app: FastifyInstance, routes: ApiRoute[], surface: 'console' | 'v1', prefix: string, guard: CallerGuard, deps: ApiDeps): void {
  for (const r of routes.filter((x) => servedOn(x, surface))) {
    app.route({
      method: r.method,
      url: prefix + r.path,
      handler: async (request, reply) => {
        const caller = await guard(request, reply, permissionsOf(r));
        if (!caller) return reply;
        const body = r.body ? parseBody(r.body, request.body, reply) : undefined;
        if (r.body && body === null) return reply;
        const query = r.query ? parseQuery(r.query, request.query, reply) : undefined;
        if (r.query && query === null) return reply;
        const ctx: RouteContext<unknown, unknown> = {
          caller,
          params: request.params as Record<string, string>,
          body,
          query,
          request,
          reply,
          deps,
          audit: (action, detail, sessionId = null) => deps.store.audit(caller.tenantId, caller.actor, action, sessionId, caller.kind === 'token' ? { ...detail, via: 'api' } : detail),
          fail: (code, message) => sendError(reply, code, message),
        };
        const result = await r.handle(ctx as RouteContext<never, never>);
        if (reply.sent || result === reply) return reply;
        if (r.status === 204) return reply.code(204).send();
        return reply.code(r.status ?? 200).send(result);
      },
    });
  }
}

function parseQuery<T extends v.GenericSchema>(schema: T, query: unknown, reply: FastifyReply): v.InferOutput<T> | null {
  const result = v.safeParse(schema, query ?? {});
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = issue?.path?.map((p) => String(p.key)).join('.');
  sendError(reply, 'invalid_request', `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}`);
  return null;
}
