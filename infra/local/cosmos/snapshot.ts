import type Account from '@vercel/cosmosdb-server/lib/account';
import type ItemObject from '@vercel/cosmosdb-server/lib/account/item-object';
import { z } from 'zod';

/**
 * A point-in-time copy of the whole store. Documents keep their _rid/_etag/_ts, so ETags the app
 * holds across a restart still match; rid counters are kept so new resources never reuse a rid.
 */
interface AccountSnapshot {
  readonly format: 1;
  readonly databaseRidCount: number;
  readonly databases: readonly DatabaseSnapshot[];
}
interface DatabaseSnapshot {
  readonly data: ItemObject;
  readonly collectionRidCount: number;
  readonly collections: readonly CollectionSnapshot[];
}
interface CollectionSnapshot {
  readonly data: ItemObject;
  readonly documentRidCount: number;
  readonly documents: readonly ItemObject[];
  readonly udfs: readonly { readonly id: string; readonly body: string }[];
}

export function snapshotAccount(account: Account): AccountSnapshot {
  return {
    format: 1,
    databaseRidCount: account.databases._ridCount,
    databases: [...account.databases._data.values()].map((database) => ({
      data: database.read(),
      collectionRidCount: database.collections._ridCount,
      collections: [...database.collections._data.values()].map((collection) => ({
        data: collection.read(),
        documentRidCount: collection.documents._ridCount,
        documents: [...collection.documents._data.values()].map((d) => d.read()),
        udfs: [...collection.userDefinedFunctions._data.values()].map((u) => {
          const udf = u.read();
          return { id: udf.id, body: String(udf['body']) };
        }),
      })),
    })),
  };
}

const ItemSchema = z.looseObject({ id: z.string(), _rid: z.string(), _self: z.string() });
const SnapshotSchema = z.object({
  format: z.literal(1),
  databaseRidCount: z.number().int().nonnegative(),
  databases: z.array(
    z.object({
      data: ItemSchema,
      collectionRidCount: z.number().int().nonnegative(),
      collections: z.array(
        z.object({
          data: ItemSchema,
          documentRidCount: z.number().int().nonnegative(),
          documents: z.array(ItemSchema),
          udfs: z.array(z.object({ id: z.string(), body: z.string() })),
        }),
      ),
    }),
  ),
});

/** Loads a snapshot into an empty account through the package's own indexing (`_set`). */
export function restoreAccount(account: Account, value: unknown): void {
  const parsed = SnapshotSchema.safeParse(value);
  if (!parsed.success)
    throw new Error(`not a cosmos snapshot (format 1): ${parsed.error.issues[0]?.message ?? ''}`);
  const snapshot = parsed.data;
  for (const db of snapshot.databases) {
    account.databases._set(db.data);
    const database = account.database(db.data.id);
    for (const coll of db.collections) {
      database.collections._set(coll.data);
      const collection = database.collection(coll.data.id);
      for (const doc of coll.documents) collection.documents._set(doc);
      for (const udf of coll.udfs) collection.userDefinedFunctions.create(udf);
      collection.documents._ridCount = coll.documentRidCount;
    }
    database.collections._ridCount = db.collectionRidCount;
  }
  account.databases._ridCount = snapshot.databaseRidCount;
}
