import { z } from 'zod';

import { minimumRole } from '../domain/apiKey';
import { ErrorEnvelopeSchema, STATUS_BY_CODE } from '../http/errors';
import type { Operation } from '../http/operation';
import type { ComponentMeta } from './registry';
import { requestComponents, responseComponents } from './registry';

type JsonSchema = Record<string, unknown>;

const COMPONENT_PREFIX = '#/components/schemas/';

const REASONS: Readonly<Record<number, string>> = {
  400: 'The request is invalid; details.issues lists every problem',
  401: 'No API key, or the key is not valid',
  403: "The key's role does not allow this",
  404: 'No such resource in your tenant',
  409: 'Conflicts with the current state (duplicate name, invalid status transition, still in use)',
  412: 'If-Match does not match the current ETag',
  413: 'The body is too large',
  415: 'The body is not application/json',
  422: 'The new credentials were not accepted by the provider',
  500: 'Unexpected failure; quote the correlation id',
  503: 'A dependency is unavailable; retry after the Retry-After seconds',
};

/** Strips what only standalone JSON Schemas carry and turns zod's shared $defs into components. */
function componentsFrom(
  registry: z.core.$ZodRegistry<ComponentMeta>,
  io: 'input' | 'output',
  sharedPrefix: string,
): Record<string, JsonSchema> {
  const generated = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    uri: (id) => `${COMPONENT_PREFIX}${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  const out: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    if (id === '__shared') {
      const defs = (schema['$defs'] ?? {}) as Record<string, JsonSchema>;
      for (const [name, def] of Object.entries(defs)) out[`${sharedPrefix}${name}`] = def;
      continue;
    }
    const { $schema: _s, $id: _i, ...rest } = schema;
    out[id] = rest;
  }
  // `…/__shared#/$defs/schemaN` → `…/<prefix>schemaN`
  const text = JSON.stringify(out).replaceAll(
    `${COMPONENT_PREFIX}__shared#/$defs/`,
    `${COMPONENT_PREFIX}${sharedPrefix}`,
  );
  return JSON.parse(text) as Record<string, JsonSchema>;
}

function inlineSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

function schemaRef(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const meta = (io === 'input' ? requestComponents : responseComponents).get(schema);
  return meta !== undefined ? { $ref: `${COMPONENT_PREFIX}${meta.id}` } : inlineSchema(schema, io);
}

function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!(schema instanceof z.ZodObject)) return [];
  const shape = schema.shape as Record<string, z.ZodType>;
  return Object.entries(shape).map(([name, prop]) => {
    const json = inlineSchema(prop, 'input');
    const { description, ...rest } = json;
    return {
      name,
      in: location,
      required: location === 'path' || !prop.safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function errorResponses(op: Operation): Record<string, JsonSchema> {
  const statuses = new Set<number>([401, 403, 500, 503, ...op.errors]);
  if (op.body !== undefined || op.query !== undefined || op.params !== undefined) statuses.add(400);
  const out: Record<string, JsonSchema> = {};
  for (const status of [...statuses].sort((a, b) => a - b)) {
    out[String(status)] = { $ref: `#/components/responses/Error${status}` };
  }
  return out;
}

export interface OpenApiOptions {
  readonly version: string;
  /** Operations served without an API key (the document itself). */
  readonly publicOperations?: readonly {
    readonly path: string;
    readonly method: 'get';
    readonly operationId: string;
    readonly summary: string;
  }[];
}

/**
 * The OpenAPI 3.1 document for the admin API, generated from the operations and their zod
 * schemas: what it publishes is what the handlers validate.
 */
export function buildOpenApiDocument(operations: readonly Operation[], options: OpenApiOptions): JsonSchema {
  const schemas: Record<string, JsonSchema> = {
    ...componentsFrom(requestComponents, 'input', 'RequestShared_'),
    ...componentsFrom(responseComponents, 'output', 'ResponseShared_'),
    ErrorEnvelope: inlineSchema(ErrorEnvelopeSchema, 'output'),
  };
  const responses: Record<string, JsonSchema> = {};
  const statuses = new Set<number>(Object.values(STATUS_BY_CODE));
  for (const status of statuses) {
    responses[`Error${status}`] = {
      description: REASONS[status] ?? 'Error',
      content: { 'application/json': { schema: { $ref: `${COMPONENT_PREFIX}ErrorEnvelope` } } },
      ...(status === 401
        ? {
            headers: {
              'WWW-Authenticate': { schema: { type: 'string' }, description: 'Bearer realm="sync-admin"' },
            },
          }
        : {}),
    };
  }

  const paths: Record<string, Record<string, JsonSchema>> = {};
  const tags = new Set<string>();
  for (const op of operations) {
    tags.add(op.tag);
    const parameters = [...parametersOf(op.params, 'path'), ...parametersOf(op.query, 'query')];
    if (op.ifMatch === true) {
      parameters.push({
        name: 'If-Match',
        in: 'header',
        required: false,
        description: 'The ETag you read; the request fails with 412 if the resource changed since',
        schema: { type: 'string' },
      });
    }
    const success: JsonSchema = {
      description: op.success.description,
      ...(op.success.schema !== undefined
        ? { content: { 'application/json': { schema: schemaRef(op.success.schema, 'output') } } }
        : {}),
      headers: {
        'X-Correlation-Id': {
          schema: { type: 'string' },
          description: 'The id every log line of this request carries',
        },
        ...(op.method !== 'DELETE' && op.success.schema !== undefined
          ? {
              ETag: {
                schema: { type: 'string' },
                description: 'Version of the returned resource, when it has one',
              },
            }
          : {}),
      },
    };
    const operation: JsonSchema = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description !== undefined ? { description: op.description } : {}),
      tags: [op.tag],
      'x-required-role': minimumRole(op.permission),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(op.body !== undefined
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemaRef(op.body, 'input') } },
            },
          }
        : {}),
      responses: { [String(op.success.status)]: success, ...errorResponses(op) },
    };
    const entry = (paths[op.path] ??= {});
    entry[op.method.toLowerCase()] = operation;
  }
  for (const pub of options.publicOperations ?? []) {
    const entry = (paths[pub.path] ??= {});
    entry[pub.method] = {
      operationId: pub.operationId,
      summary: pub.summary,
      tags: ['Meta'],
      security: [],
      responses: {
        '200': {
          description: 'The document',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
      },
    };
    tags.add('Meta');
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Sync engine admin API',
      version: options.version,
      description:
        'Tenants, API keys, providers, connections and integrations of the sync engine. Every request carries an API key ' +
        "(X-API-Key or Authorization: Bearer) and sees only its own tenant; another tenant's ids answer 404. Errors are " +
        '{ error: { code, message, details?, correlationId } }.',
    },
    servers: [{ url: '/api' }],
    security: [{ ApiKeyHeader: [] }, { BearerAuth: [] }],
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        ApiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        BearerAuth: { type: 'http', scheme: 'bearer', description: 'The same API key as a bearer token' },
      },
      schemas,
      responses,
    },
  };
}
