import { z } from 'zod';

import type { AdminResult } from '../admin/errors';
import { ok } from '../domain/result';
import type { Operation, OperationReply } from '../http/operation';
import { defineOperation } from '../http/operation';
import { pagedReply } from '../http/pagedReply';
import { PageQuerySchema } from '../http/paging';
import { currentCorrelationId } from '../observability/correlation';
import { SYNC_RUN_STATUSES } from '../ports/syncRunStore';
import type { SyncDeps } from './deps';
import { getRecordView, getRun, listRecordViews, listRuns } from './queries';
import { requestSync, SyncRequestSchema } from './requestSync';

/*
 * The sync slice's HTTP operations on the admin API's operation pipeline (API-key auth, roles,
 * paging tokens, error envelope). They need the sync stores, which the pipeline does not carry,
 * so they are built around a loader of SyncDeps.
 */

const Id = z.string().min(1).max(128);
const TAG_SYNC = 'Sync';
const TAG_RECORDS = 'Records';

function replyOf<T>(result: AdminResult<T>, status: number): AdminResult<OperationReply> {
  return result.ok ? ok({ status, body: result.value }) : result;
}

export interface SyncOperations {
  readonly sync: readonly Operation[];
  readonly runs: readonly Operation[];
  readonly run: readonly Operation[];
  readonly records: readonly Operation[];
  readonly record: readonly Operation[];
}

export function syncOperations(loadSync: () => Promise<SyncDeps>): SyncOperations {
  const startSync = defineOperation({
    operationId: 'startSync',
    method: 'POST',
    path: '/admin/integrations/{id}/sync',
    summary: 'Start an inbound sync now',
    description:
      'Queues a run (full or incremental, some resource types or ids, or a dry run that only reports). The same idempotencyKey returns the same run.',
    tag: TAG_SYNC,
    permission: 'operate',
    params: z.object({ id: Id }),
    body: SyncRequestSchema,
    success: { status: 202, description: 'The run id; follow it under runs/{runId}' },
    errors: [404, 409, 413, 415],
    handle: async ({ principal, params, body }) => {
      const sync = await loadSync();
      const correlationId = currentCorrelationId() ?? `sync-${Date.now()}`;
      return replyOf(await requestSync(sync, principal.tenantId, params.id, body, correlationId), 202);
    },
  });

  const listRunsOp = defineOperation({
    operationId: 'listSyncRuns',
    method: 'GET',
    path: '/admin/integrations/{id}/runs',
    summary: "The integration's sync runs, newest first",
    tag: TAG_SYNC,
    permission: 'read',
    params: z.object({ id: Id }),
    query: PageQuerySchema.extend({ status: z.enum(SYNC_RUN_STATUSES).optional() }),
    success: { status: 200, description: 'One page of runs with their counts' },
    errors: [404],
    handle: async ({ principal, params, query }) => {
      const sync = await loadSync();
      const filter = query.status !== undefined ? { status: query.status } : {};
      return pagedReply(
        query,
        { op: 'listSyncRuns', tenant: principal.tenantId, id: params.id, filter },
        (page) => listRuns(sync, principal.tenantId, params.id, filter, page),
      );
    },
  });

  const getRunOp = defineOperation({
    operationId: 'getSyncRun',
    method: 'GET',
    path: '/admin/integrations/{id}/runs/{runId}',
    summary: 'One sync run: status, counts, failures, dry-run report',
    tag: TAG_SYNC,
    permission: 'read',
    params: z.object({ id: Id, runId: Id }),
    success: { status: 200, description: 'The run' },
    errors: [404],
    handle: async ({ principal, params }) =>
      replyOf(await getRun(await loadSync(), principal.tenantId, params.id, params.runId), 200),
  });

  const resourceType = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/);
  const listRecordsOp = defineOperation({
    operationId: 'listRecords',
    method: 'GET',
    path: '/records/{resourceType}',
    summary: 'Canonical records of a type, oldest change first, each with its links',
    description: 'Pull changes with updated_since (inclusive) and continuation tokens.',
    tag: TAG_RECORDS,
    permission: 'read',
    params: z.object({ resourceType }),
    query: PageQuerySchema.extend({
      updated_since: z.iso
        .datetime({ offset: true })
        .optional()
        .describe('Only records changed at or after this time'),
      include_deleted: z.enum(['true', 'false']).default('false'),
    }),
    success: { status: 200, description: 'One page of records' },
    errors: [],
    handle: async ({ principal, params, query }) => {
      const sync = await loadSync();
      const filter = {
        ...(query.updated_since !== undefined
          ? { updatedSince: new Date(query.updated_since).toISOString() }
          : {}),
        includeDeleted: query.include_deleted === 'true',
      };
      return pagedReply(
        query,
        { op: 'listRecords', tenant: principal.tenantId, type: params.resourceType, filter },
        (page) => listRecordViews(sync, principal.tenantId, params.resourceType, filter, page),
      );
    },
  });

  const getRecordOp = defineOperation({
    operationId: 'getRecord',
    method: 'GET',
    path: '/records/{resourceType}/{id}',
    summary: 'One canonical record with its links',
    tag: TAG_RECORDS,
    permission: 'read',
    params: z.object({ resourceType, id: Id }),
    success: { status: 200, description: 'The record' },
    errors: [404],
    handle: async ({ principal, params }) =>
      replyOf(await getRecordView(await loadSync(), principal.tenantId, params.resourceType, params.id), 200),
  });

  return {
    sync: [startSync],
    runs: [listRunsOp],
    run: [getRunOp],
    records: [listRecordsOp],
    record: [getRecordOp],
  };
}
