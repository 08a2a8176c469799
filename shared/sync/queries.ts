import type { AdminResult } from '../admin/errors';
import { adminError } from '../admin/errors';
import { ok } from '../domain/result';
import type { Page, PageRequest, StoreOptions } from '../ports/documentStore';
import type { RecordLink } from '../ports/linkStore';
import type { CanonicalRecord } from '../ports/recordStore';
import type { SyncRun, SyncRunFilter } from '../ports/syncRunStore';
import type { SyncDeps } from './deps';

/** The read side of the sync slice: runs for operators, records (with their links) for consumers. */

export interface LinkView {
  readonly integrationId: string;
  readonly externalId: string;
  readonly lastSyncedAt: string;
  readonly deleted: boolean;
}

export interface RecordView {
  readonly id: string;
  readonly resourceType: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly version: number;
  readonly deleted: boolean;
  readonly deletedAt?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly links: readonly LinkView[];
}

function toView(record: CanonicalRecord, links: readonly RecordLink[]): RecordView {
  return {
    id: record.recordId,
    resourceType: record.resourceType,
    data: record.data,
    version: record.version,
    deleted: record.deleted,
    ...(record.deletedAt !== undefined ? { deletedAt: record.deletedAt } : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    links: links.map((l) => ({
      integrationId: l.integrationId,
      externalId: l.externalId,
      lastSyncedAt: l.lastSyncedAt,
      deleted: l.deleted === true,
    })),
  };
}

async function withLinks(
  deps: Pick<SyncDeps, 'links'>,
  tenantId: string,
  resourceType: string,
  records: readonly CanonicalRecord[],
  options: StoreOptions,
): Promise<RecordView[]> {
  if (records.length === 0) return [];
  // One query for the whole page, not one per record.
  const links = await deps.links.listLinksOfRecords(
    tenantId,
    resourceType,
    records.map((r) => r.recordId),
    options,
  );
  const byRecord = new Map<string, RecordLink[]>();
  for (const l of links) {
    const list = byRecord.get(l.internalId) ?? [];
    list.push(l);
    byRecord.set(l.internalId, list);
  }
  return records.map((r) => toView(r, byRecord.get(r.recordId) ?? []));
}

export interface RecordListQuery {
  readonly updatedSince?: string;
  readonly includeDeleted: boolean;
}

export async function listRecordViews(
  deps: Pick<SyncDeps, 'records' | 'links'>,
  tenantId: string,
  resourceType: string,
  query: RecordListQuery,
  page: PageRequest,
  options: StoreOptions = {},
): Promise<AdminResult<Page<RecordView>>> {
  const result = await deps.records.listRecords(
    tenantId,
    resourceType,
    {
      ...(query.updatedSince !== undefined ? { updatedSince: query.updatedSince } : {}),
      includeDeleted: query.includeDeleted,
    },
    page,
    options,
  );
  const items = await withLinks(deps, tenantId, resourceType, result.items, options);
  return ok({
    items,
    ...(result.continuationToken !== undefined ? { continuationToken: result.continuationToken } : {}),
  });
}

export async function getRecordView(
  deps: Pick<SyncDeps, 'records' | 'links'>,
  tenantId: string,
  resourceType: string,
  recordId: string,
  options: StoreOptions = {},
): Promise<AdminResult<RecordView>> {
  const found = await deps.records.getRecord(tenantId, resourceType, recordId, options);
  if (found === undefined) return adminError('NotFound', `record ${resourceType}/${recordId} not found`);
  const [view] = await withLinks(deps, tenantId, resourceType, [found.value], options);
  return view === undefined ? adminError('NotFound', 'record not found') : ok(view);
}

export async function listRuns(
  deps: Pick<SyncDeps, 'integrations' | 'runs'>,
  tenantId: string,
  integrationId: string,
  filter: SyncRunFilter,
  page: PageRequest,
  options: StoreOptions = {},
): Promise<AdminResult<Page<SyncRun>>> {
  const integration = await deps.integrations.getIntegration(tenantId, integrationId, options);
  if (integration === undefined) return adminError('NotFound', `integration ${integrationId} not found`);
  return ok(await deps.runs.listRuns(tenantId, integrationId, filter, page, options));
}

export async function getRun(
  deps: Pick<SyncDeps, 'runs'>,
  tenantId: string,
  integrationId: string,
  runId: string,
  options: StoreOptions = {},
): Promise<AdminResult<SyncRun>> {
  const run = await deps.runs.getRun(tenantId, runId, options);
  if (run === undefined || run.value.integrationId !== integrationId)
    return adminError('NotFound', `run ${runId} not found`);
  return ok(run.value);
}
