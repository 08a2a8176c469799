import type {
  ListRecordsRequest,
  RecordSource,
  SourcePage,
  SourceRecord,
  WebhookChange,
} from '../../shared/ports/recordSource';
import { InvalidPayloadError, ProviderUnavailableError } from '../../shared/reliability/errors';

export interface FakeItem {
  readonly id: string;
  readonly updatedAt: string;
  readonly deleted?: boolean;
  readonly [field: string]: unknown;
}

/**
 * A provider in memory: records per resource type, listed oldest change first in pages of
 * `pageSize`, the cursor being the offset of the next page. Faults: `failAfterPage(k)` makes
 * every page after the k-th throw a retryable error until `revive()`.
 */
export class FakeRecordSource implements RecordSource {
  readonly data = new Map<string, FakeItem[]>();
  /** Pages served, as `${resourceType}@${offset}`, to assert where a resumed run started. */
  readonly served: string[] = [];
  fetches = 0;
  private failAfter: number | undefined;

  constructor(private readonly pageSize = 3) {}

  set(resourceType: string, items: readonly FakeItem[]): void {
    this.data.set(
      resourceType,
      items.map((i) => ({ ...i })),
    );
  }

  upsert(resourceType: string, item: FakeItem): void {
    const list = this.data.get(resourceType) ?? [];
    const at = list.findIndex((i) => i.id === item.id);
    if (at >= 0) list.splice(at, 1);
    list.push({ ...item });
    this.data.set(resourceType, list);
  }

  failAfterPage(k: number): void {
    this.failAfter = k;
  }

  revive(): void {
    this.failAfter = undefined;
  }

  private toSource(item: FakeItem): SourceRecord {
    const { deleted, ...data } = item;
    return { externalId: item.id, updatedAt: item.updatedAt, deleted: deleted === true, data };
  }

  async *listRecords(request: ListRecordsRequest): AsyncIterable<SourcePage> {
    const all = [...(this.data.get(request.resourceType) ?? [])]
      .filter((i) => request.since === undefined || i.updatedAt >= request.since)
      .sort((a, b) =>
        a.updatedAt === b.updatedAt ? a.id.localeCompare(b.id) : a.updatedAt.localeCompare(b.updatedAt),
      );
    let offset = request.cursor === undefined ? 0 : Number(request.cursor);
    for (;;) {
      const pageNumber = offset / this.pageSize + 1;
      if (this.failAfter !== undefined && pageNumber > this.failAfter) {
        throw new ProviderUnavailableError('connection reset', { status: 503 });
      }
      await Promise.resolve();
      this.served.push(`${request.resourceType}@${offset}`);
      const records = all.slice(offset, offset + this.pageSize).map((i) => this.toSource(i));
      offset += this.pageSize;
      const more = offset < all.length;
      yield { records, ...(more ? { nextCursor: String(offset) } : {}) };
      if (!more) return;
    }
  }

  getRecord(resourceType: string, externalId: string): Promise<SourceRecord | undefined> {
    this.fetches++;
    const item = this.data.get(resourceType)?.find((i) => i.id === externalId);
    return Promise.resolve(item === undefined ? undefined : this.toSource(item));
  }

  /** Body: `{ "events": [{ "type": "items", "id": "1", "action": "upsert", "record"?: {...} }] }`. */
  parseWebhook(body: Buffer): readonly WebhookChange[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new InvalidPayloadError('webhook body is not JSON');
    }
    const events = (parsed as { events?: unknown }).events;
    if (!Array.isArray(events)) throw new InvalidPayloadError('webhook body has no events');
    return events.map((e: { type: string; id: string; action?: 'upsert' | 'delete'; record?: FakeItem }) => ({
      resourceType: e.type,
      externalId: e.id,
      action: e.action ?? 'upsert',
      ...(e.record !== undefined ? { record: this.toSource(e.record) } : {}),
    }));
  }
}
