import { createHash } from 'node:crypto';

import type { IntegrationDocument } from '../../shared/domain/integration';
import type { SyncLogEntry } from '../../shared/domain/syncLog';
import type { BlobLocation, BlobRef, BlobStore } from '../../shared/ports/blobStore';
import { BlobNotFoundError } from '../../shared/ports/blobStore';
import type { DeadLetterEntry, DeadLetterStore } from '../../shared/ports/deadLetterStore';
import type { Page, PageRequest, Versioned } from '../../shared/ports/documentStore';
import type { DueIntegrationSource } from '../../shared/ports/dueIntegrations';
import type { EventPublisher, PublishedEvent } from '../../shared/ports/eventPublisher';
import type { IntegrationFilter, IntegrationStore } from '../../shared/ports/integrationStore';
import type { JobQueue, QueueMessage } from '../../shared/ports/jobQueue';
import type { LeaseStore, SyncLease } from '../../shared/ports/leaseStore';
import type { LinkQuery, LinkScope } from '../../shared/ports/linkLookup';
import type { LinkStore, RecordLink } from '../../shared/ports/linkStore';
import type { CanonicalRecord, RecordFilter, RecordStore } from '../../shared/ports/recordStore';
import { recordDocumentId } from '../../shared/ports/recordStore';
import type { SyncLogFilter, SyncLogStore } from '../../shared/ports/syncLogStore';
import type { SyncRun, SyncRunFilter, SyncRunStore } from '../../shared/ports/syncRunStore';
import type { WebhookDelivery, WebhookEventStore } from '../../shared/ports/webhookEventStore';
import { MemoryTable, pageArray } from './memoryTable';

/** In-memory versions of the sync slice's ports, with the same conflict semantics as Cosmos. */

export class MemoryRecordStore implements RecordStore {
  readonly table = new MemoryTable<CanonicalRecord>();

  getRecord(
    tenantId: string,
    resourceType: string,
    recordId: string,
  ): Promise<Versioned<CanonicalRecord> | undefined> {
    return Promise.resolve(this.table.get(tenantId, recordDocumentId(resourceType, recordId)));
  }
  createRecord(record: CanonicalRecord): Promise<Versioned<CanonicalRecord>> {
    return Promise.resolve().then(() => this.table.create(record));
  }
  replaceRecord(record: CanonicalRecord, options: { ifMatch: string }): Promise<Versioned<CanonicalRecord>> {
    return Promise.resolve().then(() => this.table.replace(record, options.ifMatch));
  }
  listRecords(
    tenantId: string,
    resourceType: string,
    filter: RecordFilter,
    page: PageRequest,
  ): Promise<Page<CanonicalRecord>> {
    const items = this.table
      .values(tenantId)
      .filter((r) => r.resourceType === resourceType)
      .filter((r) => filter.includeDeleted === true || !r.deleted)
      .filter((r) => filter.updatedSince === undefined || r.updatedAt > filter.updatedSince)
      .sort((a, b) =>
        a.updatedAt === b.updatedAt ? a.id.localeCompare(b.id) : a.updatedAt.localeCompare(b.updatedAt),
      );
    return Promise.resolve(pageArray(items, page.limit, page.continuationToken));
  }
  /** Records of a tenant and type, for assertions. */
  all(tenantId: string, resourceType?: string): CanonicalRecord[] {
    return this.table
      .values(tenantId)
      .filter((r) => resourceType === undefined || r.resourceType === resourceType);
  }
}

export class MemoryLinkStore implements LinkStore {
  readonly table = new MemoryTable<RecordLink>();
  queries = 0;

  getLinksByExternalIds(
    scope: LinkScope,
    resourceType: string,
    externalIds: readonly string[],
  ): Promise<ReadonlyMap<string, Versioned<RecordLink>>> {
    this.queries++;
    const wanted = new Set(externalIds);
    const out = new Map<string, Versioned<RecordLink>>();
    for (const v of this.table.docs.values()) {
      const l = v.value;
      if (
        l.tenantId === scope.tenantId &&
        l.integrationId === scope.integrationId &&
        l.resourceType === resourceType &&
        wanted.has(l.externalId)
      ) {
        out.set(l.externalId, { value: structuredClone(l), etag: v.etag });
      }
    }
    return Promise.resolve(out);
  }
  writeLink(link: RecordLink, options?: { ifMatch?: string }): Promise<Versioned<RecordLink>> {
    return Promise.resolve().then(() =>
      options?.ifMatch === undefined ? this.table.create(link) : this.table.replace(link, options.ifMatch),
    );
  }
  listLinksOfRecords(
    tenantId: string,
    resourceType: string,
    internalIds: readonly string[],
  ): Promise<readonly RecordLink[]> {
    const wanted = new Set(internalIds);
    return Promise.resolve(
      this.table.values(tenantId).filter((l) => l.resourceType === resourceType && wanted.has(l.internalId)),
    );
  }
  resolveLinks(
    scope: LinkScope,
    queries: readonly LinkQuery[],
  ): Promise<readonly ReadonlyMap<string, string>[]> {
    const links = this.table.values(scope.tenantId).filter((l) => l.integrationId === scope.integrationId);
    return Promise.resolve(
      queries.map((q) => {
        const m = new Map<string, string>();
        for (const l of links) {
          if (l.resourceType !== q.resourceType) continue;
          if (q.direction === 'toInternal' && q.ids.includes(l.externalId)) m.set(l.externalId, l.internalId);
          if (q.direction === 'toExternal' && q.ids.includes(l.internalId)) m.set(l.internalId, l.externalId);
        }
        return m;
      }),
    );
  }
}

export class MemorySyncRunStore implements SyncRunStore {
  readonly table = new MemoryTable<SyncRun>();
  createRun(run: SyncRun): Promise<Versioned<SyncRun>> {
    return Promise.resolve().then(() => this.table.create(run));
  }
  getRun(tenantId: string, runId: string): Promise<Versioned<SyncRun> | undefined> {
    return Promise.resolve(this.table.get(tenantId, runId));
  }
  replaceRun(run: SyncRun, options: { ifMatch: string }): Promise<Versioned<SyncRun>> {
    return Promise.resolve().then(() => this.table.replace(run, options.ifMatch));
  }
  listRuns(
    tenantId: string,
    integrationId: string,
    filter: SyncRunFilter,
    page: PageRequest,
  ): Promise<Page<SyncRun>> {
    const items = this.table
      .values(tenantId)
      .filter(
        (r) =>
          r.integrationId === integrationId && (filter.status === undefined || r.status === filter.status),
      )
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return Promise.resolve(pageArray(items, page.limit, page.continuationToken));
  }
}

export class MemoryLeaseStore implements LeaseStore {
  readonly table = new MemoryTable<SyncLease>();
  getLease(tenantId: string, leaseId: string): Promise<Versioned<SyncLease> | undefined> {
    return Promise.resolve(this.table.get(tenantId, leaseId));
  }
  createLease(lease: SyncLease): Promise<Versioned<SyncLease>> {
    return Promise.resolve().then(() => this.table.create(lease));
  }
  replaceLease(lease: SyncLease, options: { ifMatch: string }): Promise<Versioned<SyncLease>> {
    return Promise.resolve().then(() => this.table.replace(lease, options.ifMatch));
  }
}

export class MemorySyncLogStore implements SyncLogStore {
  readonly entries: SyncLogEntry[] = [];
  appendSyncLog(entry: SyncLogEntry): Promise<void> {
    this.entries.push(structuredClone(entry));
    return Promise.resolve();
  }
  listSyncLogs(
    tenantId: string,
    integrationId: string,
    filter: SyncLogFilter,
    page: PageRequest,
  ): Promise<Page<SyncLogEntry>> {
    const items = this.entries
      .filter((e) => e.tenantId === tenantId && e.integrationId === integrationId)
      .filter(
        (e) =>
          (filter.status === undefined || e.status === filter.status) &&
          (filter.operation === undefined || e.operation === filter.operation),
      )
      .reverse();
    return Promise.resolve(pageArray(items, page.limit, page.continuationToken));
  }
}

export class MemoryDeadLetterStore implements DeadLetterStore {
  readonly entries: DeadLetterEntry[] = [];
  recordDeadLetter(entry: DeadLetterEntry): Promise<void> {
    this.entries.push(structuredClone(entry));
    return Promise.resolve();
  }
}

export class MemoryWebhookEventStore implements WebhookEventStore {
  readonly table = new MemoryTable<WebhookDelivery>();
  recordDelivery(delivery: WebhookDelivery): Promise<'recorded' | 'duplicate'> {
    if (this.table.get(delivery.tenantId, delivery.id) !== undefined) return Promise.resolve('duplicate');
    this.table.create(delivery);
    return Promise.resolve('recorded');
  }
  forgetDelivery(tenantId: string, id: string): Promise<void> {
    this.table.delete(tenantId, id);
    return Promise.resolve();
  }
}

export class MemoryIntegrationStore implements IntegrationStore, DueIntegrationSource {
  readonly table = new MemoryTable<IntegrationDocument>();
  createIntegration(doc: IntegrationDocument): Promise<Versioned<IntegrationDocument>> {
    return Promise.resolve().then(() => this.table.create(doc));
  }
  getIntegration(
    tenantId: string,
    integrationId: string,
  ): Promise<Versioned<IntegrationDocument> | undefined> {
    return Promise.resolve(this.table.get(tenantId, integrationId));
  }
  listIntegrations(
    tenantId: string,
    filter: IntegrationFilter,
    page: PageRequest,
  ): Promise<Page<Versioned<IntegrationDocument>>> {
    const items = this.table
      .values(tenantId)
      .filter((i) => filter.status === undefined || i.status === filter.status)
      .map((i) => this.table.get(i.tenantId, i.id) as Versioned<IntegrationDocument>);
    return Promise.resolve(pageArray(items, page.limit, page.continuationToken));
  }
  replaceIntegration(
    doc: IntegrationDocument,
    options: { ifMatch: string },
  ): Promise<Versioned<IntegrationDocument>> {
    return Promise.resolve().then(() => this.table.replace(doc, options.ifMatch));
  }
  deleteIntegration(tenantId: string, integrationId: string): Promise<boolean> {
    return Promise.resolve(this.table.delete(tenantId, integrationId));
  }
  countIntegrationsUsingConnection(tenantId: string, connectionId: string): Promise<number> {
    return Promise.resolve(this.table.values(tenantId).filter((i) => i.connectionId === connectionId).length);
  }
  listDueIntegrations(now: string, page: PageRequest): Promise<Page<Versioned<IntegrationDocument>>> {
    const items = this.table
      .values()
      .filter((i) => i.status === 'ACTIVE' && (i.nextSyncAt === undefined || i.nextSyncAt <= now))
      .map((i) => this.table.get(i.tenantId, i.id) as Versioned<IntegrationDocument>);
    return Promise.resolve(pageArray(items, page.limit, page.continuationToken));
  }
}

export class MemoryJobQueue implements JobQueue {
  /** What a queue with duplicate detection keeps: one message per id. */
  readonly queues = new Map<string, Map<string, QueueMessage>>();
  sends = 0;
  enqueue(queue: string, messages: readonly QueueMessage[]): Promise<void> {
    this.sends++;
    const q = this.queues.get(queue) ?? new Map<string, QueueMessage>();
    for (const m of messages) if (!q.has(m.messageId)) q.set(m.messageId, structuredClone(m));
    this.queues.set(queue, q);
    return Promise.resolve();
  }
  messages(queue: string): QueueMessage[] {
    return [...(this.queues.get(queue)?.values() ?? [])];
  }
}

export class MemoryEventPublisher implements EventPublisher {
  readonly events: PublishedEvent[] = [];
  failNext = 0;
  publish(events: readonly PublishedEvent[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error('event grid unavailable'));
    }
    this.events.push(...events.map((e) => structuredClone(e)));
    return Promise.resolve();
  }
}

export class MemoryBlobStore implements BlobStore {
  readonly blobs = new Map<string, Buffer>();
  putBlob(container: string, name: string, data: Buffer): Promise<BlobRef> {
    this.blobs.set(`${container}/${name}`, Buffer.from(data));
    return Promise.resolve({
      container,
      name,
      bytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    });
  }
  getBlob(ref: BlobLocation): Promise<Buffer> {
    const b = this.blobs.get(`${ref.container}/${ref.name}`);
    if (b === undefined) return Promise.reject(new BlobNotFoundError(ref.container, ref.name));
    return Promise.resolve(
      Buffer.from(
        ref.offset === undefined ? b : b.subarray(ref.offset, ref.offset + (ref.bytes ?? b.length)),
      ),
    );
  }
}
