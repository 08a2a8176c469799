import type { BlobRef } from '../messages/envelope';
import type { StoreOptions } from './documentStore';

export type { BlobRef };

/** A blob, or `bytes` bytes of it from `offset` (a body inside a segment). */
export type BlobLocation = Pick<BlobRef, 'container' | 'name'> & {
  readonly offset?: number | undefined;
  readonly bytes?: number | undefined;
};

export interface PutBlobOptions extends StoreOptions {
  readonly contentType?: string;
}

/** Opaque bytes by container and name (Azure Blob Storage; Azurite locally). */
export interface BlobStore {
  /** Writes (or overwrites) a blob and returns a reference with its size and SHA-256. */
  putBlob(container: string, name: string, data: Buffer, options?: PutBlobOptions): Promise<BlobRef>;
  /** The whole blob, or `bytes` from `offset` when the ref has one; BlobNotFoundError when absent. */
  getBlob(ref: BlobLocation, options?: StoreOptions): Promise<Buffer>;
}

export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
  constructor(
    readonly container: string,
    readonly blobName: string,
  ) {
    super(`blob ${container}/${blobName} not found`);
  }
}
