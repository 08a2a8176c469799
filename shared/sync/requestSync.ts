import { randomBytes } from 'node:crypto';

import { z } from 'zod';

import type { AdminResult } from '../admin/errors';
import { adminError } from '../admin/errors';
import { QueueNames } from '../config/queues';
import { ok } from '../domain/result';
import type { InboundSyncEnvelope } from '../messages/envelope';
import { ENVELOPE_VERSION, MessageKinds, SyncModeSchema } from '../messages/envelope';
import type { StoreOptions } from '../ports/documentStore';
import { DuplicateError } from '../ports/documentStore';
import type { SyncRun } from '../ports/syncRunStore';
import { ZERO_COUNTS } from '../ports/syncRunStore';
import { idempotencyKey } from '../reliability/idempotency';
import type { SyncDeps } from './deps';
import { clock } from './deps';

export const SyncRequestSchema = z.strictObject({
  mode: SyncModeSchema.default('incremental').describe(
    'incremental continues from the watermark; full reads everything',
  ),
  resourceTypes: z
    .array(z.string().min(1).max(64))
    .min(1)
    .max(50)
    .optional()
    .describe('Default: every enabled resource type'),
  ids: z
    .array(z.string().min(1).max(500))
    .min(1)
    .max(1000)
    .optional()
    .describe('Sync only these external ids (needs exactly one resource type)'),
  dryRun: z
    .boolean()
    .default(false)
    .describe('Report what would be created, updated and deleted without writing'),
  idempotencyKey: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('The same key returns the same run instead of starting another'),
});
export type SyncRequest = z.infer<typeof SyncRequestSchema>;

export interface SyncRequested {
  readonly runId: string;
  readonly status: SyncRun['status'];
  /** False when an earlier request with the same idempotency key already started this run. */
  readonly created: boolean;
}

/** POST /admin/integrations/{id}/sync: a QUEUED run document and its message; the worker does the rest. */
export async function requestSync(
  deps: SyncDeps,
  tenantId: string,
  integrationId: string,
  request: SyncRequest,
  correlationId: string,
  options: StoreOptions = {},
): Promise<AdminResult<SyncRequested>> {
  const integration = await deps.integrations.getIntegration(tenantId, integrationId, options);
  if (integration === undefined) return adminError('NotFound', `integration ${integrationId} not found`);
  const doc = integration.value;
  if (doc.direction === 'outbound') return adminError('Conflict', 'the integration only syncs outbound');
  if (doc.status === 'PAUSED' || doc.status === 'DISABLED') {
    return adminError('Conflict', `the integration is ${doc.status}; resume it first`);
  }
  const enabled = doc.resourceTypes.filter((r) => r.enabled).map((r) => r.name);
  const resourceTypes = request.resourceTypes ?? enabled;
  const unknown = resourceTypes.filter((r) => !enabled.includes(r));
  if (unknown.length > 0) {
    return adminError('ValidationFailed', 'unknown or disabled resource types', {
      issues: unknown.map((r) => ({
        path: 'resourceTypes',
        message: `${r} is not an enabled resource type of this integration`,
      })),
    });
  }
  if (resourceTypes.length === 0)
    return adminError('Conflict', 'the integration has no enabled resource types');
  if (request.ids !== undefined && resourceTypes.length !== 1) {
    return adminError('ValidationFailed', 'ids need exactly one resource type', {
      issues: [{ path: 'resourceTypes', message: 'give exactly one resource type with ids' }],
    });
  }

  // The same idempotency key always names the same run, so a retried request finds it.
  const key =
    request.idempotencyKey !== undefined
      ? idempotencyKey('manual-sync', tenantId, integrationId, request.idempotencyKey)
      : idempotencyKey('manual-sync', tenantId, integrationId, randomBytes(16).toString('hex'));
  const runId = `run_${key.slice(0, 32)}`;
  const run: SyncRun = {
    id: runId,
    tenantId,
    integrationId,
    trigger: 'manual',
    mode: request.mode,
    resourceTypes,
    ...(request.ids !== undefined ? { ids: request.ids } : {}),
    dryRun: request.dryRun,
    status: 'QUEUED',
    ...(request.idempotencyKey !== undefined ? { idempotencyKey: request.idempotencyKey } : {}),
    correlationId,
    counts: ZERO_COUNTS,
    countsByResourceType: {},
    failures: [],
    createdAt: clock(deps).toISOString(),
    attempts: 0,
  };
  let created = true;
  let status: SyncRun['status'] = 'QUEUED';
  try {
    await deps.runs.createRun(run, options);
  } catch (err) {
    if (!(err instanceof DuplicateError)) throw err;
    const existing = await deps.runs.getRun(tenantId, runId, options);
    created = false;
    status = existing?.value.status ?? 'QUEUED';
  }
  // Re-sent for a repeated key too: if the first request died between the two writes, this is
  // what starts the run; if not, the queue's duplicate detection drops it.
  if (status === 'QUEUED') {
    const envelope: InboundSyncEnvelope = {
      v: ENVELOPE_VERSION,
      kind: MessageKinds.inboundScheduled,
      tenantId,
      integrationId,
      correlationId,
      idempotencyKey: key,
      payload: {
        runId,
        trigger: 'manual',
        mode: request.mode,
        resourceTypes,
        ...(request.ids !== undefined ? { ids: request.ids } : {}),
        dryRun: request.dryRun,
      },
    };
    await deps.jobs.enqueue(
      QueueNames.inboundScheduled,
      [{ messageId: key, body: envelope, correlationId, subject: integrationId }],
      options,
    );
  }
  return ok({ runId, status, created });
}
