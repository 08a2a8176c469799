import { createHash } from 'node:crypto';

import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';

import type { BlobLocation, BlobRef, BlobStore, PutBlobOptions } from '../ports/blobStore';
import { BlobNotFoundError } from '../ports/blobStore';
import type { StoreOptions } from '../ports/documentStore';

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Blob Storage. Containers are created on first use only against the local emulators; in Azure
 * Bicep declares them and the app's data role cannot create them.
 */
export class AzureBlobStore implements BlobStore {
  private readonly ready = new Map<string, Promise<ContainerClient>>();

  constructor(
    private readonly service: BlobServiceClient,
    private readonly createContainers: boolean,
  ) {}

  private container(name: string): Promise<ContainerClient> {
    let client = this.ready.get(name);
    if (client === undefined) {
      const c = this.service.getContainerClient(name);
      client = this.createContainers ? c.createIfNotExists().then(() => c) : Promise.resolve(c);
      this.ready.set(name, client);
      client.catch(() => this.ready.delete(name));
    }
    return client;
  }

  async putBlob(
    container: string,
    name: string,
    data: Buffer,
    options: PutBlobOptions = {},
  ): Promise<BlobRef> {
    const client = await this.container(container);
    await client.getBlockBlobClient(name).uploadData(data, {
      ...(options.contentType !== undefined
        ? { blobHTTPHeaders: { blobContentType: options.contentType } }
        : {}),
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    });
    return { container, name, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  }

  async getBlob(ref: BlobLocation, options: StoreOptions = {}): Promise<Buffer> {
    const client = await this.container(ref.container);
    const range =
      ref.offset !== undefined
        ? { offset: ref.offset, count: ref.bytes }
        : { offset: undefined, count: undefined };
    try {
      if (range.count === 0) return Buffer.alloc(0);
      return await client.getBlockBlobClient(ref.name).downloadToBuffer(range.offset, range.count, {
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      });
    } catch (err) {
      if (statusOf(err) === 404) throw new BlobNotFoundError(ref.container, ref.name);
      throw err;
    }
  }
}
