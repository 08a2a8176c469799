import { randomUUID } from 'node:crypto';

import type { WebhookEventEnvelope } from '../messages/envelope';
import type { StoreOptions } from '../ports/documentStore';
import type { SourceRecord, WebhookChange } from '../ports/recordSource';
import type { ApplyOutcome } from './applyRecords';
import { applyRecords } from './applyRecords';
import type { SyncDeps } from './deps';
import { clock } from './deps';
import { mapperFor } from './resourceMapping';

/**
 * SyncInboundWebhook's use case: the changes one accepted delivery announces, applied with the
 * same change detection as a scheduled sync. Idempotent: a redelivered event maps to the same
 * hashes and costs no writes.
 */

export interface WebhookApplySummary {
  readonly status: 'applied' | 'skipped';
  readonly reason?: string;
  readonly changes: number;
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly unchanged: number;
  readonly failed: number;
}

const none = { changes: 0, created: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0 };

export async function applyWebhookEvent(
  deps: SyncDeps,
  envelope: WebhookEventEnvelope,
  options: StoreOptions = {},
): Promise<WebhookApplySummary> {
  const started = clock(deps).getTime();
  const { tenantId, integrationId, payload } = envelope;
  const opened = await deps.openSource(tenantId, integrationId, options);
  if (opened === undefined || opened.integration.value.status === 'DISABLED') {
    const reason = opened === undefined ? 'integration not found' : 'integration is DISABLED';
    deps.logger.info('webhook event skipped', { eventId: payload.eventId, reason });
    return { status: 'skipped', reason, ...none };
  }
  const integration = opened.integration.value;
  const body =
    payload.body !== undefined
      ? Buffer.from(payload.body, 'utf8')
      : await deps.blobs.getBlob(payload.bodyRef, options);
  const changes = opened.source.parseWebhook(body, payload.contentType);

  const configured = new Set(integration.resourceTypes.filter((r) => r.enabled).map((r) => r.name));
  const byType = new Map<string, WebhookChange[]>();
  for (const change of changes) {
    if (!configured.has(change.resourceType)) continue;
    const list = byType.get(change.resourceType) ?? [];
    list.push(change);
    byType.set(change.resourceType, list);
  }

  const totals = { ...none, changes: changes.length };
  for (const [resourceType, list] of byType) {
    // Events that only name a record are completed with a fetch; a record gone at the provider is a deletion.
    const records: SourceRecord[] = [];
    for (const change of list) {
      if (change.action === 'delete')
        records.push({ externalId: change.externalId, deleted: true, data: null });
      else if (change.record !== undefined) records.push(change.record);
      else {
        const fetched = await opened.source.getRecord(resourceType, change.externalId, options);
        records.push(fetched ?? { externalId: change.externalId, deleted: true, data: null });
      }
    }
    const outcome: ApplyOutcome = await applyRecords(
      deps,
      {
        tenantId,
        integrationId,
        resourceType,
        mapper: mapperFor(integration, resourceType),
        dryRun: false,
        ...options,
      },
      records,
    );
    totals.created += outcome.counts.created;
    totals.updated += outcome.counts.updated;
    totals.deleted += outcome.counts.deleted;
    totals.unchanged += outcome.counts.unchanged;
    totals.failed += outcome.counts.failed;
    await deps.syncLogs.appendSyncLog(
      {
        id: randomUUID(),
        tenantId,
        integrationId,
        operation: 'WEBHOOK_RECEIVED',
        direction: 'inbound',
        resourceType,
        ...(list.length === 1 && list[0] !== undefined ? { resourceId: list[0].externalId } : {}),
        status:
          outcome.counts.failed === 0
            ? 'SUCCESS'
            : outcome.counts.failed < outcome.counts.processed
              ? 'PARTIAL_SUCCESS'
              : 'FAILED',
        recordsProcessed: outcome.counts.processed,
        recordsSucceeded: outcome.counts.processed - outcome.counts.failed,
        recordsFailed: outcome.counts.failed,
        ...(outcome.failures[0] !== undefined
          ? { errorCode: outcome.failures[0].code, errorMessage: outcome.failures[0].message }
          : {}),
        durationMs: clock(deps).getTime() - started,
        retryCount: 0,
        correlationId: envelope.correlationId,
        createdAt: clock(deps).toISOString(),
      },
      options,
    );
  }
  return { status: 'applied', ...totals };
}
