import { randomUUID } from 'node:crypto';

import { webhookSecretName } from '../domain/connection';
import { tenantIdOfIntegration } from '../domain/ids';
import type { IntegrationDocument, SecretRef } from '../domain/integration';
import { ok } from '../domain/result';
import type { SyncLogEntry } from '../domain/syncLog';
import { currentCorrelationId } from '../observability/correlation';
import type { Page, PageRequest, StoreOptions, Versioned } from '../ports/documentStore';
import { StaleEtagError } from '../ports/documentStore';
import type { SyncLogFilter } from '../ports/syncLogStore';
import { loadIntegrationWithCredentials } from './credentials';
import type { AdminDeps, Principal } from './deps';
import { nowIso } from './deps';
import type { AdminResult } from './errors';
import { notFound } from './errors';
import type { ConnectionTestResult } from './testConnection';
import { runConnectionTest } from './testConnection';

export interface IntegrationTestReport extends ConnectionTestResult {
  readonly integrationId: string;
  readonly provider: string;
}

/**
 * POST /integrations/{id}/test: the adapter's testConnection (or the provider's verification
 * endpoint) with the stored credentials. The outcome is recorded on the connection and in the
 * integration's sync log.
 */
export async function testIntegrationConnection(
  deps: AdminDeps,
  principal: Principal,
  integrationId: string,
): Promise<AdminResult<IntegrationTestReport>> {
  const { tenantId } = principal;
  const loaded = await loadIntegrationWithCredentials(deps, tenantId, integrationId);
  if (loaded === undefined) return notFound('integration', integrationId);
  const result = await runConnectionTest(
    deps.http,
    loaded.provider,
    loaded.target,
    () => deps.now?.() ?? new Date(),
  );

  const connection = loaded.connection;
  await deps.connections
    .replaceConnection(
      {
        ...connection.value,
        lastTest: {
          at: result.testedAt,
          ok: result.credentialsValid === true,
          ...(result.httpStatus !== undefined ? { status: result.httpStatus } : {}),
        },
      },
      { ifMatch: connection.etag },
    )
    .catch((e: unknown) => {
      // Someone changed the connection meanwhile; their write wins over a test timestamp.
      if (!(e instanceof StaleEtagError)) throw e;
    });
  await appendSyncLog(deps, {
    tenantId,
    integrationId,
    operation: 'TEST_CONNECTION',
    direction: 'none',
    status: result.credentialsValid === true ? 'SUCCESS' : 'FAILED',
    recordsProcessed: 0,
    recordsSucceeded: 0,
    recordsFailed: 0,
    durationMs: result.latencyMs,
    ...(result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
    ...(result.credentialsValid === true ? {} : { errorCode: result.status, errorMessage: result.message }),
  });
  return ok({ ...result, integrationId, provider: loaded.integration.value.provider });
}

export type NewSyncLogEntry = Omit<SyncLogEntry, 'id' | 'createdAt' | 'retryCount' | 'correlationId'> &
  Partial<Pick<SyncLogEntry, 'retryCount' | 'correlationId'>>;

/** Writes one audit entry; id, time and the current correlation id are filled in. */
export async function appendSyncLog(
  deps: Pick<AdminDeps, 'syncLogs' | 'now'>,
  entry: NewSyncLogEntry,
  options?: StoreOptions,
): Promise<SyncLogEntry> {
  const correlationId = entry.correlationId ?? currentCorrelationId();
  const full: SyncLogEntry = {
    ...entry,
    id: randomUUID(),
    retryCount: entry.retryCount ?? 0,
    ...(correlationId !== undefined ? { correlationId } : {}),
    createdAt: nowIso(deps),
  };
  await deps.syncLogs.appendSyncLog(full, options);
  return full;
}

export async function listIntegrationLogs(
  deps: Pick<AdminDeps, 'integrations' | 'syncLogs'>,
  principal: Principal,
  integrationId: string,
  filter: SyncLogFilter,
  page: PageRequest,
): Promise<AdminResult<Page<SyncLogEntry>>> {
  const integration = await deps.integrations.getIntegration(principal.tenantId, integrationId);
  if (integration === undefined) return notFound('integration', integrationId);
  return ok(await deps.syncLogs.listSyncLogs(principal.tenantId, integrationId, filter, page));
}

/** What the webhook receiver needs to verify one delivery. Never log `secret`. */
export interface WebhookTarget {
  readonly tenantId: string;
  readonly integration: Versioned<IntegrationDocument>;
  readonly scheme?: string;
  readonly config?: unknown;
  readonly toleranceSec?: number;
  /** Undefined until a secret is set or a handshake delivers one. */
  readonly secret?: string;
}

/**
 * Resolves `/webhooks/{provider}/{integrationId}` with one point read: the tenant is part of the
 * integration id. Undefined when no such integration exists or the provider in the URL differs.
 */
export async function loadWebhookTarget(
  deps: Pick<AdminDeps, 'integrations' | 'secrets'>,
  provider: string,
  integrationId: string,
  options?: StoreOptions,
): Promise<WebhookTarget | undefined> {
  const tenantId = tenantIdOfIntegration(integrationId);
  if (tenantId === undefined) return undefined;
  const integration = await deps.integrations.getIntegration(tenantId, integrationId, options);
  if (integration === undefined || integration.value.provider !== provider) return undefined;
  const webhook = integration.value.webhook;
  const secret =
    webhook?.secret !== undefined ? await deps.secrets.getSecret(webhook.secret, options) : undefined;
  return {
    tenantId,
    integration,
    ...(webhook !== undefined ? { scheme: webhook.scheme } : {}),
    ...(webhook?.config !== undefined ? { config: webhook.config } : {}),
    ...(webhook?.toleranceSec !== undefined ? { toleranceSec: webhook.toleranceSec } : {}),
    ...(secret !== undefined ? { secret } : {}),
  };
}

/** Stores a secret a provider delivered in a webhook handshake (Asana X-Hook-Secret, Notion). */
export async function storeHandshakeWebhookSecret(
  deps: Pick<AdminDeps, 'integrations' | 'secrets' | 'now'>,
  tenantId: string,
  integrationId: string,
  secret: string,
): Promise<SecretRef | undefined> {
  const current = await deps.integrations.getIntegration(tenantId, integrationId);
  if (current?.value.webhook === undefined) return undefined;
  const ref = await deps.secrets.setSecret(webhookSecretName(integrationId), secret, {
    tags: { tenantId, integrationId, purpose: 'webhook' },
  });
  await deps.integrations.replaceIntegration(
    { ...current.value, webhook: { ...current.value.webhook, secret: ref }, updatedAt: nowIso(deps) },
    { ifMatch: current.etag },
  );
  return ref;
}
