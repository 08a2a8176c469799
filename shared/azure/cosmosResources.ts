import type { CosmosClient } from '@azure/cosmos';

import { CONTAINERS } from '../config/containers';

/**
 * Creates the database and every declared container if missing. Idempotent and cheap when they
 * exist (one read each), so it runs at every cold start; in Azure, Bicep has created them already.
 */
export async function ensureCosmosResources(client: CosmosClient, databaseId: string): Promise<void> {
  const { database } = await client.databases.createIfNotExists({ id: databaseId });
  await Promise.all(
    CONTAINERS.map((c) =>
      database.containers.createIfNotExists({
        id: c.name,
        partitionKey: { paths: [c.partitionKey] },
        ...(c.uniqueKeys.length > 0
          ? { uniqueKeyPolicy: { uniqueKeys: c.uniqueKeys.map((paths) => ({ paths: [...paths] })) } }
          : {}),
        ...(c.defaultTtlSeconds !== undefined ? { defaultTtl: c.defaultTtlSeconds } : {}),
      }),
    ),
  );
}
