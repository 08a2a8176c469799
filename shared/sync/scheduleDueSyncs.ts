import { randomUUID } from 'node:crypto';

import { QueueNames } from '../config/queues';
import type { IntegrationDocument } from '../domain/integration';
import type { InboundSyncEnvelope } from '../messages/envelope';
import { ENVELOPE_VERSION, MessageKinds } from '../messages/envelope';
import { currentCorrelationId } from '../observability/correlation';
import type { StoreOptions, Versioned } from '../ports/documentStore';
import { StaleEtagError } from '../ports/documentStore';
import type { QueueMessage } from '../ports/jobQueue';
import { idempotencyKey } from '../reliability/idempotency';
import type { SyncDeps } from './deps';
import { clock } from './deps';
import { nextOccurrence } from './schedule';

/**
 * SyncScheduler's use case: every ACTIVE integration whose nextSyncAt has come gets one message
 * per enabled resource type on sync-inbound-scheduled, then its nextSyncAt moves on.
 *
 * Safe to run twice for the same minute (a double-fired timer, two instances): the message id is
 * derived from (integration, resource type, slot), so the queue's duplicate detection keeps one,
 * and the run id is derived from it too, so even a late duplicate finds its run already done.
 */

export interface ScheduleSummary {
  readonly integrationsDue: number;
  readonly messagesEnqueued: number;
  readonly failed: number;
}

const PAGE_SIZE = 100;

export function scheduledRunId(integrationId: string, resourceType: string, slot: string): string {
  return `run_${idempotencyKey('schedule', integrationId, resourceType, slot).slice(0, 32)}`;
}

function floorToMinute(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 60_000) * 60_000);
}

export function scheduledMessages(
  integration: IntegrationDocument,
  slot: string,
  correlationId: string,
): QueueMessage[] {
  return integration.resourceTypes
    .filter((r) => r.enabled)
    .map((r) => {
      const key = idempotencyKey('schedule', integration.id, r.name, slot);
      const envelope: InboundSyncEnvelope = {
        v: ENVELOPE_VERSION,
        kind: MessageKinds.inboundScheduled,
        tenantId: integration.tenantId,
        integrationId: integration.id,
        correlationId,
        idempotencyKey: key,
        payload: {
          runId: scheduledRunId(integration.id, r.name, slot),
          trigger: 'schedule',
          // Incremental from the watermark; without one (first run) it reads everything.
          mode: 'incremental',
          resourceTypes: [r.name],
          dryRun: false,
          slot,
        },
      };
      return { messageId: key, body: envelope, correlationId, subject: `${integration.id}/${r.name}` };
    });
}

export async function scheduleDueSyncs(deps: SyncDeps, options: StoreOptions = {}): Promise<ScheduleSummary> {
  const now = clock(deps);
  const correlationId = currentCorrelationId() ?? randomUUID();
  let due = 0;
  let enqueued = 0;
  let failed = 0;
  let continuationToken: string | undefined;
  do {
    const page = await deps.dueIntegrations.listDueIntegrations(
      now.toISOString(),
      { limit: PAGE_SIZE, ...(continuationToken !== undefined ? { continuationToken } : {}) },
      options,
    );
    for (const integration of page.items) {
      if (integration.value.status !== 'ACTIVE' || integration.value.direction === 'outbound') continue;
      due++;
      // One integration's failure (a throttled send, a deleted document) must not starve the rest.
      try {
        enqueued += await scheduleOne(deps, integration, now, correlationId, options);
      } catch (err) {
        failed++;
        deps.logger.error('could not schedule integration', {
          integrationId: integration.value.id,
          error: err,
        });
      }
    }
    continuationToken = page.continuationToken;
  } while (continuationToken !== undefined);
  if (failed > 0 && failed === due) throw new Error(`scheduling failed for all ${failed} due integrations`);
  return { integrationsDue: due, messagesEnqueued: enqueued, failed };
}

async function scheduleOne(
  deps: SyncDeps,
  integration: Versioned<IntegrationDocument>,
  now: Date,
  correlationId: string,
  options: StoreOptions,
): Promise<number> {
  const doc = integration.value;
  const slot = doc.nextSyncAt ?? floorToMinute(now).toISOString();
  const messages = scheduledMessages(doc, slot, correlationId);
  // Enqueue before advancing: a crash in between re-sends the same slot, which duplicate
  // detection absorbs; the other order could lose the slot.
  if (messages.length > 0) await deps.jobs.enqueue(QueueNames.inboundScheduled, messages, options);
  const next = nextOccurrence(doc.schedule, now);
  let current = integration;
  for (let round = 1; round <= 4; round++) {
    const { nextSyncAt: _old, ...rest } = current.value;
    try {
      await deps.integrations.replaceIntegration(
        { ...rest, ...(next !== undefined ? { nextSyncAt: next.toISOString() } : {}) },
        { ifMatch: current.etag, ...options },
      );
      return messages.length;
    } catch (err) {
      if (!(err instanceof StaleEtagError)) throw err;
      const fresh = await deps.integrations.getIntegration(doc.tenantId, doc.id, options);
      // Someone else (another scheduler instance) already moved it on, or it is gone.
      if (fresh === undefined || fresh.value.nextSyncAt !== doc.nextSyncAt) return messages.length;
      current = fresh;
    }
  }
  throw new Error(`could not advance nextSyncAt of ${doc.id}`);
}
