import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { ERRORS } from '@samepage/protocol';
import { EVENT_TYPES } from '../relay/events.ts';
import { shapes } from './api-schemas.ts';
import { permissionsOf, servedOn, type ApiRoute } from './route-table.ts';

type Json = Record<string, unknown>;

const convert = (schema: v.GenericSchema, typeMode: 'input' | 'output'): Json => {
  const json = toJsonSchema(schema, { target: 'openapi-3.0', errorMode: 'ignore', typeMode }) as Json;
  delete json.$schema;
  return json;
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function operation(r: ApiRoute): Json {
  const permissions = permissionsOf(r);
  const parameters: Json[] = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (r.query) {
    const query = convert(r.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
  }
  const status = String(r.status ?? 200);
  const success = r.status === 204 ? { description: 'Done.' } : { description: 'OK', content: { 'application/json': { schema: r.response ? convert(r.response, 'output') : {} } } };
  const op: Json = {
    operationId: `${r.method.toLowerCase()}${r.path.replace(/\/:?(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/\W/g, '')}`,
    tags: [r.tag],
    summary: r.summary,
    description: permissions.length ? `Needs an API token with ${permissions.map((p) => `\`${p}\``).join(' or ')}.` : 'Any valid API token.',
    'x-permissions': permissions,
    ...(parameters.length ? { parameters } : {}),
    ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: convert(r.body, 'input') } } } } : {}),
    responses: {
      [status]: success,
      ...(r.body || r.query ? { '400': errorResponse('invalid_request: the body or query is not valid; the message names the field.') } : {}),
      '401': errorResponse('unauthorized: no API token, or an unknown or revoked one.'),
      '403': errorResponse("forbidden: the token lacks the permission."),
      ...(r.path.includes(':') ? { '404': errorResponse("not_found / session_not_found: no such object in the token's tenant.") } : {}),
    },
  };
  return op;
}

/** The OpenAPI 3.0 document of /api/v1, generated from the route table and its valibot schemas. */
export function buildOpenApi(routes: ApiRoute[]): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes.filter((x) => servedOn(x, 'v1'))) {
    const path = '/api/v1' + r.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [r.method.toLowerCase()]: operation(r) };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Samepage API',
      version: '1',
      description: 'The public HTTP API of a Samepage server. Authenticate with `Authorization: Bearer sp_…` (an API token made by an admin in the console). Errors are `{ error: { code, message } }`; the codes are listed in docs/ERRORS.md. See docs/API.md.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    tags: [...new Set(routes.filter((x) => servedOn(x, 'v1')).map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token, `sp_…`, with the permissions the operation needs.' } },
      schemas: {
        Error: { ...convert(shapes.error, 'output'), 'x-error-codes': Object.keys(ERRORS) },
        WebhookEvent: {
          type: 'object',
          description: 'The body of every webhook POST. Headers: Samepage-Signature (t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>), Samepage-Event, Samepage-Delivery.',
          required: ['id', 'type', 'createdAt', 'tenantId', 'data'],
          properties: { id: { type: 'string' }, type: { type: 'string', enum: [...EVENT_TYPES] }, createdAt: { type: 'number' }, tenantId: { type: 'string' }, data: { type: 'object' } },
        },
      },
    },
  };
}
