import { createHash } from 'node:crypto';

import type { MappingContext } from '../mapping';
import type { StoreOptions, Versioned } from '../ports/documentStore';
import { DuplicateError, StaleEtagError } from '../ports/documentStore';
import type { RecordLink } from '../ports/linkStore';
import { linkDocumentId } from '../ports/linkStore';
import type { SourceRecord } from '../ports/recordSource';
import type { CanonicalRecord } from '../ports/recordStore';
import { recordDocumentId } from '../ports/recordStore';
import type { RecordFailure, RunCounts } from '../ports/syncRunStore';
import { classifyError } from '../reliability/classifyError';
import { RecordConflictError } from '../reliability/errors';
import { mapLimit } from './concurrency';
import type { SyncDeps } from './deps';
import { clock } from './deps';
import type { ResourceMapper } from './resourceMapping';

/**
 * The heart of inbound sync: a batch of provider records becomes canonical records and links,
 * and only what changed is written. Per page: one link query, one mapping call (lookups batched),
 * then for each record either nothing (hash unchanged), or a record write and a link write.
 * Every write is conditional (create, or replace with If-Match), so two writers never lose an
 * update and a replayed page never duplicates a record.
 */

export type RecordCounts = Omit<RunCounts, 'pages'>;

export interface ApplyOutcome {
  readonly counts: RecordCounts;
  readonly failures: readonly RecordFailure[];
  readonly wouldCreate: readonly string[];
  readonly wouldUpdate: readonly string[];
  readonly wouldDelete: readonly string[];
  /** Newest updatedAt among the records, ISO UTC. */
  readonly highWater?: string;
}

export interface ApplyRequest extends StoreOptions {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly resourceType: string;
  readonly mapper: ResourceMapper;
  readonly dryRun: boolean;
  /**
   * Nothing of this resource type was synced before (first run): skip the link lookup and create
   * every record optimistically. A record that exists after all (a webhook got there first) fails
   * its create and is converged on, writing only what differs, so this is still correct.
   */
  readonly assumeNew?: boolean;
}

export type ApplyDeps = Pick<SyncDeps, 'records' | 'links' | 'now' | 'writeConcurrency'>;

const DEFAULT_WRITE_CONCURRENCY = 16;
/** Re-read-and-retry rounds when another writer moved a document between our read and write. */
const CONFLICT_ROUNDS = 4;

/**
 * Records created from a provider get an id derived from where they came from, so a create
 * replayed after a crash (record written, link not yet) finds the same record instead of making
 * a second one.
 */
export function inboundRecordId(integrationId: string, resourceType: string, externalId: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([integrationId, resourceType, externalId]))
    .digest('hex');
  return `rec_${digest.slice(0, 32)}`;
}

type Plan =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'create'; readonly data: Record<string, unknown>; readonly hash: string }
  | {
      readonly kind: 'update';
      readonly link: Versioned<RecordLink>;
      readonly data: Record<string, unknown>;
      readonly hash: string;
    }
  | { readonly kind: 'delete'; readonly link: Versioned<RecordLink> }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

function toIsoUtc(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function shortMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 500);
}

/** Last occurrence wins: an offset-paged list can return the same record twice. */
function dedupe(records: readonly SourceRecord[]): SourceRecord[] {
  const byId = new Map<string, SourceRecord>();
  for (const r of records) {
    byId.delete(r.externalId);
    byId.set(r.externalId, r);
  }
  return [...byId.values()];
}

export async function applyRecords(
  deps: ApplyDeps,
  request: ApplyRequest,
  input: readonly SourceRecord[],
): Promise<ApplyOutcome> {
  const { tenantId, integrationId, resourceType, mapper } = request;
  const records = dedupe(input);
  const opts: StoreOptions = request.abortSignal ? { abortSignal: request.abortSignal } : {};
  const scope = { tenantId, integrationId };
  // A first run still looks up its tombstones: deleting needs to know what exists.
  const lookup = request.assumeNew === true ? records.filter((r) => r.deleted) : records;
  const links =
    lookup.length === 0
      ? new Map<string, Versioned<RecordLink>>()
      : await deps.links.getLinksByExternalIds(
          scope,
          resourceType,
          lookup.map((r) => r.externalId),
          opts,
        );

  const live = records.filter((r) => !r.deleted);
  const ctx: MappingContext = {
    tenantId,
    integrationId,
    links: deps.links,
    ...(request.abortSignal ? { abortSignal: request.abortSignal } : {}),
  };
  const mapped =
    live.length === 0
      ? []
      : await mapper.mapPage(
          live.map((r) => r.data),
          ctx,
        );
  const mappedById = new Map(live.map((r, i) => [r.externalId, mapped[i]]));

  const plans = records.map((r): Plan => {
    const link = links.get(r.externalId);
    if (r.deleted) {
      return link !== undefined && link.value.deleted !== true
        ? { kind: 'delete', link }
        : { kind: 'unchanged' };
    }
    const result = mappedById.get(r.externalId);
    if (result === undefined) return { kind: 'failed', code: 'Internal', message: 'record was not mapped' };
    if (!result.ok) return { kind: 'failed', code: 'InvalidPayload', message: shortMessage(result.error) };
    let hash: string;
    try {
      hash = mapper.hash(result.value);
    } catch (err) {
      return { kind: 'failed', code: 'InvalidPayload', message: shortMessage(err) };
    }
    if (link === undefined) return { kind: 'create', data: result.value, hash };
    if (link.value.lastExternalHash === hash && link.value.deleted !== true) return { kind: 'unchanged' };
    return { kind: 'update', link, data: result.value, hash };
  });

  const counts = { processed: records.length, created: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0 };
  const failures: RecordFailure[] = [];
  const wouldCreate: string[] = [];
  const wouldUpdate: string[] = [];
  const wouldDelete: string[] = [];
  let highWater: string | undefined;
  for (const r of records) {
    const at = toIsoUtc(r.updatedAt);
    if (at !== undefined && (highWater === undefined || at > highWater)) highWater = at;
  }

  const fail = (r: SourceRecord, code: string, message: string): void => {
    counts.failed++;
    failures.push({ resourceType, externalId: r.externalId, code, message });
  };

  if (request.dryRun) {
    records.forEach((r, i) => {
      const plan = plans[i] as Plan;
      switch (plan.kind) {
        case 'unchanged':
          counts.unchanged++;
          break;
        case 'create':
          counts.created++;
          wouldCreate.push(r.externalId);
          break;
        case 'update':
          counts.updated++;
          wouldUpdate.push(r.externalId);
          break;
        case 'delete':
          counts.deleted++;
          wouldDelete.push(r.externalId);
          break;
        case 'failed':
          fail(r, plan.code, plan.message);
      }
    });
    return { counts, failures, wouldCreate, wouldUpdate, wouldDelete, ...(highWater ? { highWater } : {}) };
  }

  const writer = new RecordWriter(deps, request, opts);
  await mapLimit(records, deps.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY, async (r, i) => {
    const plan = plans[i] as Plan;
    if (plan.kind === 'unchanged') {
      counts.unchanged++;
      return;
    }
    if (plan.kind === 'failed') {
      fail(r, plan.code, plan.message);
      return;
    }
    try {
      switch (plan.kind) {
        case 'create':
          counts[await writer.create(r, plan.data, plan.hash)]++;
          return;
        case 'update':
          await writer.update(r, plan.link, plan.data, plan.hash);
          counts.updated++;
          return;
        case 'delete':
          await writer.delete(r, plan.link);
          counts.deleted++;
          return;
      }
    } catch (err) {
      const c = classifyError(err);
      // A store that is throttled or down fails the page: the message is redelivered and the
      // run resumes at its checkpoint. Anything else is this record's problem alone.
      if (c.retryable) throw err;
      fail(r, c.code, shortMessage(err));
    }
  });
  return { counts, failures, wouldCreate, wouldUpdate, wouldDelete, ...(highWater ? { highWater } : {}) };
}

class RecordWriter {
  constructor(
    private readonly deps: ApplyDeps,
    private readonly request: ApplyRequest,
    private readonly opts: StoreOptions,
  ) {}

  private nowIso(): string {
    return clock(this.deps).toISOString();
  }

  /** What actually happened: a new record, an existing one changed, or one already up to date. */
  async create(
    source: SourceRecord,
    data: Record<string, unknown>,
    hash: string,
  ): Promise<'created' | 'updated' | 'unchanged'> {
    const { tenantId, integrationId, resourceType } = this.request;
    const recordId = inboundRecordId(integrationId, resourceType, source.externalId);
    const now = this.nowIso();
    const record: CanonicalRecord = {
      id: recordDocumentId(resourceType, recordId),
      tenantId,
      resourceType,
      recordId,
      data,
      version: 1,
      hash,
      deleted: false,
      origin: { source: 'inbound', integrationId, externalId: source.externalId },
      createdAt: now,
      updatedAt: now,
    };
    let created = true;
    let recordWritten = true;
    try {
      await this.deps.records.createRecord(record, this.opts);
    } catch (err) {
      if (!(err instanceof DuplicateError)) throw err;
      // Written by an earlier attempt (or by a webhook racing this run): converge on it.
      created = false;
      recordWritten = await this.writeRecord(recordId, data, hash, source.externalId);
    }
    const linkWritten = await this.writeLink(recordId, source, hash, data, undefined);
    if (created) return 'created';
    return recordWritten || linkWritten ? 'updated' : 'unchanged';
  }

  async update(
    source: SourceRecord,
    link: Versioned<RecordLink>,
    data: Record<string, unknown>,
    hash: string,
  ): Promise<void> {
    await this.writeRecord(link.value.internalId, data, hash, source.externalId);
    await this.writeLink(link.value.internalId, source, hash, data, link);
  }

  async delete(source: SourceRecord, link: Versioned<RecordLink>): Promise<void> {
    const { tenantId, resourceType } = this.request;
    await this.withConflictRetry(async () => {
      const current = await this.deps.records.getRecord(
        tenantId,
        resourceType,
        link.value.internalId,
        this.opts,
      );
      if (current === undefined || current.value.deleted) return;
      const now = this.nowIso();
      await this.deps.records.replaceRecord(
        {
          ...current.value,
          deleted: true,
          deletedAt: now,
          version: current.value.version + 1,
          updatedAt: now,
        },
        { ifMatch: current.etag, ...this.opts },
      );
    });
    const updatedAt = toIsoUtc(source.updatedAt);
    await this.replaceLink(link, (l) => ({
      ...l,
      deleted: true,
      lastSyncedAt: this.nowIso(),
      ...(updatedAt !== undefined ? { externalUpdatedAt: updatedAt } : {}),
    }));
  }

  /** Makes the record hold `data`; writes nothing when it already does. */
  private async writeRecord(
    recordId: string,
    data: Record<string, unknown>,
    hash: string,
    externalId: string,
  ): Promise<boolean> {
    const { tenantId, integrationId, resourceType } = this.request;
    return this.withConflictRetry(async () => {
      const current = await this.deps.records.getRecord(tenantId, resourceType, recordId, this.opts);
      const now = this.nowIso();
      if (current === undefined) {
        await this.deps.records.createRecord(
          {
            id: recordDocumentId(resourceType, recordId),
            tenantId,
            resourceType,
            recordId,
            data,
            version: 1,
            hash,
            deleted: false,
            origin: { source: 'inbound', integrationId, externalId },
            createdAt: now,
            updatedAt: now,
          },
          this.opts,
        );
        return true;
      }
      if (current.value.hash === hash && !current.value.deleted) return false;
      const { deletedAt: _deletedAt, ...rest } = current.value;
      await this.deps.records.replaceRecord(
        {
          ...rest,
          data,
          hash,
          deleted: false,
          version: current.value.version + 1,
          origin: { source: 'inbound', integrationId, externalId },
          updatedAt: now,
        },
        { ifMatch: current.etag, ...this.opts },
      );
      return true;
    });
  }

  private async writeLink(
    internalId: string,
    source: SourceRecord,
    hash: string,
    data: Record<string, unknown>,
    existing: Versioned<RecordLink> | undefined,
  ): Promise<boolean> {
    const { tenantId, integrationId, resourceType } = this.request;
    const updatedAt = toIsoUtc(source.updatedAt);
    const fill = (base: RecordLink | undefined): RecordLink => {
      const { deleted: _deleted, ...rest } = base ?? {
        id: linkDocumentId(integrationId, resourceType, source.externalId),
        tenantId,
        integrationId,
        resourceType,
        internalId,
        externalId: source.externalId,
        lastSyncedAt: '',
        lastExternalHash: '',
        lastLocalHash: '',
      };
      return {
        ...rest,
        internalId,
        lastSyncedAt: this.nowIso(),
        lastExternalHash: hash,
        lastLocalHash: hash,
        base: data,
        ...(updatedAt !== undefined ? { externalUpdatedAt: updatedAt } : {}),
      };
    };
    if (existing === undefined) {
      try {
        await this.deps.links.writeLink(fill(undefined), this.opts);
        return true;
      } catch (err) {
        if (!(err instanceof DuplicateError)) throw err;
        const found = (
          await this.deps.links.getLinksByExternalIds(
            { tenantId, integrationId },
            resourceType,
            [source.externalId],
            this.opts,
          )
        ).get(source.externalId);
        if (found === undefined) throw err;
        const l = found.value;
        // Already what this sync would write (e.g. by a webhook): leave it.
        if (l.internalId === internalId && l.lastExternalHash === hash && l.deleted !== true) return false;
        existing = found;
      }
    }
    await this.replaceLink(existing, fill);
    return true;
  }

  private async replaceLink(
    link: Versioned<RecordLink>,
    change: (l: RecordLink) => RecordLink,
  ): Promise<void> {
    const { tenantId, integrationId, resourceType } = this.request;
    let current: Versioned<RecordLink> | undefined = link;
    await this.withConflictRetry(async () => {
      if (current === undefined) {
        current = (
          await this.deps.links.getLinksByExternalIds(
            { tenantId, integrationId },
            resourceType,
            [link.value.externalId],
            this.opts,
          )
        ).get(link.value.externalId);
        if (current === undefined)
          throw new RecordConflictError('link disappeared while it was being updated');
      }
      try {
        await this.deps.links.writeLink(change(current.value), { ifMatch: current.etag, ...this.opts });
      } catch (err) {
        if (err instanceof StaleEtagError) current = undefined;
        throw err;
      }
    });
  }

  private async withConflictRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let round = 1; ; round++) {
      try {
        return await fn();
      } catch (err) {
        const conflict = err instanceof StaleEtagError || err instanceof DuplicateError;
        if (!conflict || round >= CONFLICT_ROUNDS) throw err;
      }
    }
  }
}
