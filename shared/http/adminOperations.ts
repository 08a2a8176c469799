import { z } from 'zod';

import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  rotateConnectionSecrets,
  updateConnection,
} from '../admin/connections';
import type { AdminResult } from '../admin/errors';
import { listIntegrationLogs, testIntegrationConnection } from '../admin/integrationOps';
import {
  changeIntegrationStatus,
  createIntegration,
  deleteIntegration,
  getIntegration,
  listIntegrations,
  updateIntegration,
} from '../admin/integrations';
import { getProviderView, listProviderViews, ProviderViewSchema } from '../admin/providers';
import { createApiKey, getTenant, listApiKeys, revokeApiKey } from '../admin/tenants';
import { ApiKeyCreatedSchema, ApiKeyCreateSchema, ApiKeyViewSchema } from '../domain/apiKey';
import {
  ConnectionCreateSchema,
  ConnectionPatchSchema,
  ConnectionRotateSchema,
  ConnectionViewSchema,
} from '../domain/connection';
import type { StatusAction } from '../domain/integration';
import {
  IntegrationCreateSchema,
  IntegrationDeletionReportSchema,
  IntegrationPatchSchema,
  IntegrationStatusSchema,
  IntegrationViewSchema,
} from '../domain/integration';
import { ok } from '../domain/result';
import { SyncLogEntrySchema, SyncLogOperationSchema, SyncLogStatusSchema } from '../domain/syncLog';
import { TenantViewSchema } from '../domain/tenant';
import { requestComponent, responseComponent } from '../openapi/registry';
import type { Operation, OperationReply } from './operation';
import { defineOperation } from './operation';
import { pagedReply } from './pagedReply';
import { pageOf, PageQuerySchema } from './paging';

/* Every admin operation, declared once; functions/admin*.ts serve them, shared/openapi documents them. */

const Integration = responseComponent(IntegrationViewSchema, 'Integration');
const IntegrationPage = responseComponent(pageOf(IntegrationViewSchema), 'IntegrationPage');
const IntegrationCreate = requestComponent(IntegrationCreateSchema, 'IntegrationCreate');
const IntegrationPatch = requestComponent(IntegrationPatchSchema, 'IntegrationPatch');
const IntegrationDeletion = responseComponent(IntegrationDeletionReportSchema, 'IntegrationDeletionReport');
const Connection = responseComponent(ConnectionViewSchema, 'Connection');
const ConnectionPage = responseComponent(pageOf(ConnectionViewSchema), 'ConnectionPage');
const ConnectionCreate = requestComponent(ConnectionCreateSchema, 'ConnectionCreate');
const ConnectionPatch = requestComponent(ConnectionPatchSchema, 'ConnectionPatch');
const ConnectionRotate = requestComponent(ConnectionRotateSchema, 'ConnectionRotate');
const Provider = responseComponent(ProviderViewSchema, 'Provider');
const ProviderList = responseComponent(z.object({ items: z.array(ProviderViewSchema) }), 'ProviderList');
const SyncLogPage = responseComponent(pageOf(SyncLogEntrySchema), 'SyncLogPage');
const Tenant = responseComponent(TenantViewSchema, 'Tenant');
const ApiKeyList = responseComponent(z.object({ items: z.array(ApiKeyViewSchema) }), 'ApiKeyList');
const ApiKeyCreated = responseComponent(ApiKeyCreatedSchema, 'ApiKeyCreated');
const ApiKeyCreate = requestComponent(ApiKeyCreateSchema, 'ApiKeyCreate');

const TestResult = responseComponent(
  z.object({
    integrationId: z.string(),
    provider: z.string(),
    status: z.enum([
      'OK',
      'AUTH_FAILED',
      'UNEXPECTED_STATUS',
      'UNREACHABLE',
      'BLOCKED',
      'CONFIG_INVALID',
      'ERROR',
    ]),
    credentialsValid: z
      .boolean()
      .nullable()
      .describe('null when the provider could not tell (unreachable, blocked)'),
    latencyMs: z.number(),
    httpStatus: z.number().int().optional(),
    host: z.string().optional(),
    message: z.string(),
    testedAt: z.iso.datetime(),
  }),
  'ConnectionTestResult',
);
const ConnectionRotated = responseComponent(
  z.object({
    connection: ConnectionViewSchema,
    rotated: z.array(z.string()),
    test: z.record(z.string(), z.unknown()).optional(),
  }),
  'ConnectionRotated',
);
const ConnectionDeleted = responseComponent(
  z.object({ id: z.string(), deleted: z.object({ connection: z.boolean(), secrets: z.number().int() }) }),
  'ConnectionDeletionReport',
);
const KeyRevoked = responseComponent(
  z.object({ keyId: z.string(), revoked: z.literal(true) }),
  'ApiKeyRevoked',
);

const IdParams = z.object({ id: z.string().min(1).max(128) });

const IntegrationListQuery = PageQuerySchema.extend({
  status: IntegrationStatusSchema.optional(),
  provider: z.string().max(64).optional(),
  connectionId: z.string().max(128).optional(),
});
const ConnectionListQuery = PageQuerySchema.extend({ provider: z.string().max(64).optional() });
const LogListQuery = PageQuerySchema.extend({
  status: SyncLogStatusSchema.optional(),
  operation: SyncLogOperationSchema.optional(),
});

function reply<T>(
  result: AdminResult<T>,
  status: number,
  etagOf?: (value: T) => string,
): AdminResult<OperationReply> {
  if (!result.ok) return result;
  return ok({ status, body: result.value, ...(etagOf !== undefined ? { etag: etagOf(result.value) } : {}) });
}

const TAG_INTEGRATIONS = 'Integrations';
const TAG_CONNECTIONS = 'Connections';

export const listIntegrationsOp = defineOperation({
  operationId: 'listIntegrations',
  method: 'GET',
  path: '/admin/integrations',
  summary: "List the tenant's integrations, newest first",
  tag: TAG_INTEGRATIONS,
  permission: 'read',
  query: IntegrationListQuery,
  success: { status: 200, description: 'One page of integrations', schema: IntegrationPage },
  errors: [],
  handle: ({ deps, principal, query }) => {
    const { limit: _limit, continuationToken: _token, ...filter } = query;
    return pagedReply(query, { op: 'listIntegrations', tenant: principal.tenantId, filter }, (page) =>
      listIntegrations(deps, principal, filter, page),
    );
  },
});

export const createIntegrationOp = defineOperation({
  operationId: 'createIntegration',
  method: 'POST',
  path: '/admin/integrations',
  summary: 'Create an integration',
  description:
    'Validates the whole configuration (provider, connection, resource types, mappings against the direction, webhook scheme). ' +
    'Without webhook.secret one is generated (whsec_…) and returned once in webhook.secret.',
  tag: TAG_INTEGRATIONS,
  permission: 'configure',
  body: IntegrationCreate,
  success: { status: 201, description: 'Created', schema: Integration },
  errors: [409, 413, 415],
  handle: async ({ deps, principal, body }) =>
    reply(await createIntegration(deps, principal, body), 201, (v) => v.etag),
});

export const getIntegrationOp = defineOperation({
  operationId: 'getIntegration',
  method: 'GET',
  path: '/admin/integrations/{id}',
  summary: 'Get an integration',
  tag: TAG_INTEGRATIONS,
  permission: 'read',
  params: IdParams,
  success: {
    status: 200,
    description: 'The integration; the ETag header is its version',
    schema: Integration,
  },
  errors: [404],
  handle: async ({ deps, principal, params }) =>
    reply(await getIntegration(deps, principal, params.id), 200, (v) => v.etag),
});

export const updateIntegrationOp = defineOperation({
  operationId: 'updateIntegration',
  method: 'PATCH',
  path: '/admin/integrations/{id}',
  summary: 'Change an integration',
  description:
    'Top-level fields replace the stored ones; null removes optional ones. With If-Match the change applies only to that version (412 otherwise).',
  tag: TAG_INTEGRATIONS,
  permission: 'configure',
  params: IdParams,
  body: IntegrationPatch,
  ifMatch: true,
  success: { status: 200, description: 'The updated integration', schema: Integration },
  errors: [404, 409, 412, 413, 415],
  handle: async ({ deps, principal, params, body, ifMatch }) =>
    reply(await updateIntegration(deps, principal, params.id, body, ifMatch), 200, (v) => v.etag),
});

export const deleteIntegrationOp = defineOperation({
  operationId: 'deleteIntegration',
  method: 'DELETE',
  path: '/admin/integrations/{id}',
  summary: 'Delete an integration and everything it owns',
  description:
    'Removes its links, sync logs, conflicts, runs, dead letters, webhook events and webhook secret, and reports the counts.',
  tag: TAG_INTEGRATIONS,
  permission: 'configure',
  params: IdParams,
  ifMatch: true,
  success: { status: 200, description: 'What was removed', schema: IntegrationDeletion },
  errors: [404, 412],
  handle: async ({ deps, principal, params, ifMatch }) =>
    reply(await deleteIntegration(deps, principal, params.id, ifMatch), 200),
});

function statusOp(action: StatusAction, summary: string): Operation {
  return defineOperation({
    operationId: `${action}Integration`,
    method: 'POST',
    path: `/admin/integrations/{id}/${action}`,
    summary,
    tag: TAG_INTEGRATIONS,
    permission: action === 'disable' ? 'configure' : 'operate',
    params: IdParams,
    success: { status: 200, description: 'The integration in its new status', schema: Integration },
    errors: [404, 409],
    handle: async ({ deps, principal, params }) =>
      reply(await changeIntegrationStatus(deps, principal, params.id, action), 200, (v) => v.etag),
  });
}

export const pauseIntegrationOp = statusOp(
  'pause',
  'Pause: no scheduled syncs, webhooks are refused until resumed',
);
export const resumeIntegrationOp = statusOp(
  'resume',
  'Resume a paused, disabled, degraded or failed integration',
);
export const disableIntegrationOp = statusOp(
  'disable',
  'Disable: like pause, for an integration taken out of service',
);

export const testIntegrationOp = defineOperation({
  operationId: 'testIntegrationConnection',
  method: 'POST',
  path: '/admin/integrations/{id}/test',
  summary: "Test the integration's connection against the provider",
  description:
    "Calls the adapter's testConnection (or the provider's verification endpoint) with the stored credentials through the outbound client, " +
    'which refuses loopback, link-local and private addresses unless OUTBOUND_HOST_ALLOWLIST permits them.',
  tag: TAG_INTEGRATIONS,
  permission: 'operate',
  params: IdParams,
  success: {
    status: 200,
    description: 'The outcome, including failures the provider reported',
    schema: TestResult,
  },
  errors: [404],
  handle: async ({ deps, principal, params }) =>
    reply(await testIntegrationConnection(deps, principal, params.id), 200),
});

export const listIntegrationLogsOp = defineOperation({
  operationId: 'listIntegrationLogs',
  method: 'GET',
  path: '/admin/integrations/{id}/logs',
  summary: "The integration's sync log, newest first",
  tag: TAG_INTEGRATIONS,
  permission: 'read',
  params: IdParams,
  query: LogListQuery,
  success: { status: 200, description: 'One page of log entries', schema: SyncLogPage },
  errors: [404],
  handle: ({ deps, principal, params, query }) => {
    const { limit: _limit, continuationToken: _token, ...filter } = query;
    return pagedReply(
      query,
      { op: 'listIntegrationLogs', tenant: principal.tenantId, id: params.id, filter },
      (page) => listIntegrationLogs(deps, principal, params.id, filter, page),
    );
  },
});

export const listConnectionsOp = defineOperation({
  operationId: 'listConnections',
  method: 'GET',
  path: '/admin/connections',
  summary: "List the tenant's connections (secret names and versions, never values)",
  tag: TAG_CONNECTIONS,
  permission: 'read',
  query: ConnectionListQuery,
  success: { status: 200, description: 'One page of connections', schema: ConnectionPage },
  errors: [],
  handle: ({ deps, principal, query }) => {
    const { limit: _limit, continuationToken: _token, ...filter } = query;
    return pagedReply(query, { op: 'listConnections', tenant: principal.tenantId, filter }, (page) =>
      listConnections(deps, principal, filter, page),
    );
  },
});

export const createConnectionOp = defineOperation({
  operationId: 'createConnection',
  method: 'POST',
  path: '/admin/connections',
  summary: 'Create a connection',
  description:
    'Secret values go to Key Vault; the connection keeps their names and versions. No response ever contains them.',
  tag: TAG_CONNECTIONS,
  permission: 'configure',
  body: ConnectionCreate,
  success: { status: 201, description: 'Created', schema: Connection },
  errors: [409, 413, 415],
  handle: async ({ deps, principal, body }) =>
    reply(await createConnection(deps, principal, body), 201, (v) => v.etag),
});

export const getConnectionOp = defineOperation({
  operationId: 'getConnection',
  method: 'GET',
  path: '/admin/connections/{id}',
  summary: 'Get a connection',
  tag: TAG_CONNECTIONS,
  permission: 'read',
  params: IdParams,
  success: { status: 200, description: 'The connection', schema: Connection },
  errors: [404],
  handle: async ({ deps, principal, params }) =>
    reply(await getConnection(deps, principal, params.id), 200, (v) => v.etag),
});

export const updateConnectionOp = defineOperation({
  operationId: 'updateConnection',
  method: 'PATCH',
  path: '/admin/connections/{id}',
  summary: 'Rename a connection or change its base URL and params',
  tag: TAG_CONNECTIONS,
  permission: 'configure',
  params: IdParams,
  body: ConnectionPatch,
  ifMatch: true,
  success: { status: 200, description: 'The updated connection', schema: Connection },
  errors: [404, 409, 412, 413, 415],
  handle: async ({ deps, principal, params, body, ifMatch }) =>
    reply(await updateConnection(deps, principal, params.id, body, ifMatch), 200, (v) => v.etag),
});

export const deleteConnectionOp = defineOperation({
  operationId: 'deleteConnection',
  method: 'DELETE',
  path: '/admin/connections/{id}',
  summary: 'Delete a connection and its secrets (409 while integrations use it)',
  tag: TAG_CONNECTIONS,
  permission: 'configure',
  params: IdParams,
  ifMatch: true,
  success: { status: 200, description: 'What was removed', schema: ConnectionDeleted },
  errors: [404, 409, 412],
  handle: async ({ deps, principal, params, ifMatch }) =>
    reply(await deleteConnection(deps, principal, params.id, ifMatch), 200),
});

export const rotateConnectionOp = defineOperation({
  operationId: 'rotateConnectionSecrets',
  method: 'POST',
  path: '/admin/connections/{id}/rotate',
  summary: 'Rotate secret values',
  description:
    'The new values become new vault versions; the connection switches to them only after they pass a test against the provider ' +
    '(unless verify is false), and the previous versions stay readable. A failed test answers 422 and changes nothing.',
  tag: TAG_CONNECTIONS,
  permission: 'configure',
  params: IdParams,
  body: ConnectionRotate,
  ifMatch: true,
  success: { status: 200, description: 'Rotated', schema: ConnectionRotated },
  errors: [404, 412, 413, 415, 422],
  handle: async ({ deps, principal, params, body, ifMatch }) =>
    reply(await rotateConnectionSecrets(deps, principal, params.id, body, ifMatch), 200),
});

export const listProvidersOp = defineOperation({
  operationId: 'listProviders',
  method: 'GET',
  path: '/admin/providers',
  summary: 'The provider catalogue',
  tag: 'Providers',
  permission: 'read',
  success: { status: 200, description: 'Every provider the engine knows', schema: ProviderList },
  errors: [],
  handle: () => {
    const result = listProviderViews();
    return Promise.resolve(result.ok ? ok({ status: 200, body: { items: result.value } }) : result);
  },
});

export const getProviderOp = defineOperation({
  operationId: 'getProvider',
  method: 'GET',
  path: '/admin/providers/{providerId}',
  summary: 'One provider: auth types, webhook scheme, resource types, capabilities',
  tag: 'Providers',
  permission: 'read',
  params: z.object({ providerId: z.string().min(1).max(64) }),
  success: { status: 200, description: 'The provider', schema: Provider },
  errors: [404],
  handle: ({ params }) => Promise.resolve(reply(getProviderView(params.providerId), 200)),
});

export const getTenantOp = defineOperation({
  operationId: 'getTenant',
  method: 'GET',
  path: '/admin/tenant',
  summary: "The caller's tenant",
  tag: 'Access',
  permission: 'read',
  success: { status: 200, description: 'The tenant the API key belongs to', schema: Tenant },
  errors: [],
  handle: async ({ deps, principal }) => reply(await getTenant(deps, principal), 200),
});

export const listApiKeysOp = defineOperation({
  operationId: 'listApiKeys',
  method: 'GET',
  path: '/admin/keys',
  summary: "The tenant's API keys (prefixes only)",
  tag: 'Access',
  permission: 'manage-keys',
  success: { status: 200, description: 'Every key of the tenant', schema: ApiKeyList },
  errors: [],
  handle: async ({ deps, principal }) => {
    const result = await listApiKeys(deps, principal);
    return result.ok ? ok({ status: 200, body: { items: result.value } }) : result;
  },
});

export const createApiKeyOp = defineOperation({
  operationId: 'createApiKey',
  method: 'POST',
  path: '/admin/keys',
  summary: 'Create an API key with a role (viewer, operator, admin); the key is shown once',
  tag: 'Access',
  permission: 'manage-keys',
  body: ApiKeyCreate,
  success: { status: 201, description: 'The new key, shown only here', schema: ApiKeyCreated },
  errors: [413, 415],
  handle: async ({ deps, principal, body }) => reply(await createApiKey(deps, principal, body), 201),
});

export const revokeApiKeyOp = defineOperation({
  operationId: 'revokeApiKey',
  method: 'DELETE',
  path: '/admin/keys/{keyId}',
  summary: 'Revoke an API key',
  tag: 'Access',
  permission: 'manage-keys',
  params: z.object({ keyId: z.string().min(1).max(64) }),
  success: { status: 200, description: 'Revoked', schema: KeyRevoked },
  errors: [404, 409],
  handle: async ({ deps, principal, params }) =>
    reply(await revokeApiKey(deps, principal, params.keyId), 200),
});

/** Operations grouped by the Functions route that serves them (one function per route). */
export const ADMIN_ROUTES = {
  integrations: [listIntegrationsOp, createIntegrationOp],
  integration: [getIntegrationOp, updateIntegrationOp, deleteIntegrationOp],
  integrationStatus: [pauseIntegrationOp, resumeIntegrationOp, disableIntegrationOp],
  integrationTest: [testIntegrationOp],
  integrationLogs: [listIntegrationLogsOp],
  connections: [listConnectionsOp, createConnectionOp],
  connection: [getConnectionOp, updateConnectionOp, deleteConnectionOp],
  connectionRotate: [rotateConnectionOp],
  providers: [listProvidersOp],
  provider: [getProviderOp],
  tenant: [getTenantOp],
  keys: [listApiKeysOp, createApiKeyOp],
  key: [revokeApiKeyOp],
} as const satisfies Record<string, readonly Operation[]>;

export const ADMIN_OPERATIONS: readonly Operation[] = Object.values(ADMIN_ROUTES).flat();
