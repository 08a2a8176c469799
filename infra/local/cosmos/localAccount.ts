import Account from '@vercel/cosmosdb-server/lib/account';
import Collection from '@vercel/cosmosdb-server/lib/account/collection';
import Collections from '@vercel/cosmosdb-server/lib/account/collections';
import Database from '@vercel/cosmosdb-server/lib/account/database';
import Databases from '@vercel/cosmosdb-server/lib/account/databases';
import Documents from '@vercel/cosmosdb-server/lib/account/documents';
import type ItemObject from '@vercel/cosmosdb-server/lib/account/item-object';

/**
 * @vercel/cosmosdb-server flattens a unique key `{ paths: ['/a', '/b'] }` into two separate
 * constraints ("/a unique" and "/b unique"), so a second record with the same `/a` but another `/b`
 * gets a 409 where Cosmos DB accepts it. These subclasses keep the package's storage and swap in
 * documents that enforce each unique key as one composite constraint within a logical partition,
 * as Cosmos DB does. A missing path counts as null, as in Cosmos DB.
 */
class CompositeUniqueDocuments extends Documents {
  private readonly uniqueKeys: readonly (readonly (readonly string[])[])[];
  /** "partition, key index, values" → id of the document holding them. */
  private readonly uniqueIndex = new Map<string, string>();

  constructor(parent: Collection, partitionKeyPaths: string[], uniqueKeys: readonly (readonly string[])[]) {
    super(parent, partitionKeyPaths, []);
    this.uniqueKeys = uniqueKeys.map((paths) => paths.map((p) => p.slice(1).split('/')));
  }

  override create(data: Record<string, unknown>): ItemObject {
    this.assertUnique(data, undefined);
    return super.create(data);
  }

  override replace(data: Record<string, unknown>, original: Record<string, unknown>): ItemObject {
    this.assertUnique(data, original['id']);
    return super.replace(data, original);
  }

  override delete(idOrRid: string, partition: unknown): void {
    const existing = this._item('/id', idOrRid, partition).read() as ItemObject | undefined;
    super.delete(idOrRid, partition);
    if (existing !== undefined) {
      for (const key of this.keysOf(existing)) this.uniqueIndex.delete(key);
    }
  }

  override _set(data: ItemObject): ItemObject {
    const stored = super._set(data);
    for (const key of this.keysOf(stored)) this.uniqueIndex.set(key, stored.id);
    return stored;
  }

  private assertUnique(data: Record<string, unknown>, replacingId: unknown): void {
    this.keysOf(data).forEach((key, i) => {
      const holder = this.uniqueIndex.get(key);
      if (holder !== undefined && holder !== replacingId) {
        const paths = (this.uniqueKeys[i] ?? []).map((p) => `/${p.join('/')}`).join(', ');
        throw Object.assign(new Error(`Unique index constraint violation on (${paths}).`), {
          conflict: true,
        });
      }
    });
  }

  private keysOf(data: Record<string, unknown>): string[] {
    const partition: unknown = this._getPartition(data);
    return this.uniqueKeys.map((paths, i) =>
      JSON.stringify([partition ?? null, i, paths.map((path) => valueAt(data, path) ?? null)]),
    );
  }
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

class LocalCollection extends Collection {
  constructor(data: ItemObject | undefined | null) {
    super(data);
    const partitionKeyPaths = data?.partitionKey?.paths ?? ['/id'];
    const uniqueKeys = (data?.uniqueKeyPolicy?.uniqueKeys ?? []).map((k) => k.paths);
    this.documents = new CompositeUniqueDocuments(this, partitionKeyPaths, uniqueKeys);
  }
}

class LocalCollections extends Collections {
  override _newItem(data: ItemObject | undefined | null): Collection {
    return new LocalCollection(data);
  }
}

class LocalDatabase extends Database {
  constructor(data: ItemObject | undefined | null) {
    super(data);
    this.collections = new LocalCollections(this, ['/id']);
  }
}

class LocalDatabases extends Databases {
  override _newItem(data: ItemObject | undefined | null): Database {
    return new LocalDatabase(data);
  }
}

export class LocalAccount extends Account {
  constructor(host: string, port: number) {
    super(host, port);
    this.databases = new LocalDatabases(this, ['/id']);
  }
}
