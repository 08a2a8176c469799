import { RecordConflictError } from '../reliability/errors';

/** A stored document with the ETag its last write produced; updates pass it back as If-Match. */
export interface Versioned<T> {
  readonly value: T;
  readonly etag: string;
}

export interface PageRequest {
  /** At most this many items; a page may hold fewer even when more follow. */
  readonly limit: number;
  /** Opaque token from the previous page. */
  readonly continuationToken?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Absent on the last page. */
  readonly continuationToken?: string;
}

export interface StoreOptions {
  readonly abortSignal?: AbortSignal;
}

export interface ReplaceOptions extends StoreOptions {
  /** The ETag the caller read; the write fails with StaleEtagError when the document moved on. */
  readonly ifMatch: string;
}

export interface DeleteOptions extends StoreOptions {
  readonly ifMatch?: string;
}

/** A unique key (e.g. an integration name within its tenant) is taken. */
export class DuplicateError extends RecordConflictError {
  readonly kind = 'duplicate';
}

/** The document changed since the caller read it (HTTP 412). */
export class StaleEtagError extends RecordConflictError {
  readonly kind = 'stale';
}

/** A continuation token that is not one this store handed out. */
export class InvalidContinuationTokenError extends Error {
  override readonly name = 'InvalidContinuationTokenError';
}
