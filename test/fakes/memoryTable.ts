import type { Versioned } from '../../shared/ports/documentStore';
import { DuplicateError, StaleEtagError } from '../../shared/ports/documentStore';

/**
 * A tenant-partitioned document table with Cosmos' write semantics: create fails on an existing
 * id, replace needs the current ETag. Counts writes so tests can assert "zero writes".
 */
export class MemoryTable<T extends { readonly id: string; readonly tenantId: string }> {
  readonly docs = new Map<string, Versioned<T>>();
  writes = 0;
  private etagSeq = 0;

  private key(tenantId: string, id: string): string {
    return `${tenantId}\u0000${id}`;
  }

  private stamp(value: T): Versioned<T> {
    this.etagSeq++;
    this.writes++;
    const v = { value: structuredClone(value), etag: `"${this.etagSeq}"` };
    this.docs.set(this.key(value.tenantId, value.id), v);
    return { value: structuredClone(v.value), etag: v.etag };
  }

  get(tenantId: string, id: string): Versioned<T> | undefined {
    const v = this.docs.get(this.key(tenantId, id));
    return v === undefined ? undefined : { value: structuredClone(v.value), etag: v.etag };
  }

  create(value: T): Versioned<T> {
    if (this.docs.has(this.key(value.tenantId, value.id)))
      throw new DuplicateError(`${value.id} exists`, { status: 409 });
    return this.stamp(value);
  }

  replace(value: T, ifMatch: string): Versioned<T> {
    const current = this.docs.get(this.key(value.tenantId, value.id));
    if (current === undefined || current.etag !== ifMatch)
      throw new StaleEtagError(`${value.id} changed`, { status: 412 });
    return this.stamp(value);
  }

  upsert(value: T): Versioned<T> {
    return this.stamp(value);
  }

  delete(tenantId: string, id: string): boolean {
    return this.docs.delete(this.key(tenantId, id));
  }

  values(tenantId?: string): T[] {
    return [...this.docs.values()]
      .map((v) => v.value)
      .filter((v) => tenantId === undefined || v.tenantId === tenantId)
      .map((v) => structuredClone(v));
  }
}

/** Pages an array with an opaque numeric token, as the Cosmos stores do with continuation tokens. */
export function pageArray<T>(
  items: readonly T[],
  limit: number,
  token: string | undefined,
): { items: T[]; continuationToken?: string } {
  const start = token === undefined ? 0 : Number(token);
  const slice = items.slice(start, start + limit);
  const next = start + limit;
  return { items: slice, ...(next < items.length ? { continuationToken: String(next) } : {}) };
}
