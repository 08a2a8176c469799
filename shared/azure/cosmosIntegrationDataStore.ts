import type { Container } from '@azure/cosmos';

import type { ContainerName } from '../config/containers';
import { ContainerNames } from '../config/containers';
import type { StoreOptions } from '../ports/documentStore';
import type { IntegrationDataCounts, IntegrationDataStore } from '../ports/integrationStore';
import { cosmosStatus } from './cosmosDocuments';

/** Containers whose documents belong to one integration (they carry `integrationId`). */
const OWNED: Readonly<Record<keyof IntegrationDataCounts, ContainerName>> = {
  links: ContainerNames.links,
  logs: ContainerNames.syncLogs,
  conflicts: ContainerNames.conflicts,
  runs: ContainerNames.syncRuns,
  deadLetters: ContainerNames.deadLetters,
  webhookEvents: ContainerNames.webhookEvents,
};

const DELETE_CONCURRENCY = 8;

/**
 * Removes an integration's documents from every container that holds some, inside its tenant's
 * partition. Deletes are one by one (the emulator has no transactional batch and correctness
 * does not need one): a crash half way leaves orphans a re-run of DELETE would not see, so the
 * integration document itself is deleted last by the caller.
 */
export class CosmosIntegrationDataStore implements IntegrationDataStore {
  constructor(private readonly container: (name: ContainerName) => Container) {}

  async deleteIntegrationData(
    tenantId: string,
    integrationId: string,
    options?: StoreOptions,
  ): Promise<IntegrationDataCounts> {
    const entries = await Promise.all(
      (Object.entries(OWNED) as [keyof IntegrationDataCounts, ContainerName][]).map(
        async ([key, name]) =>
          [key, await this.purge(this.container(name), tenantId, integrationId, options)] as const,
      ),
    );
    return Object.fromEntries(entries) as unknown as IntegrationDataCounts;
  }

  private async purge(
    container: Container,
    tenantId: string,
    integrationId: string,
    options?: StoreOptions,
  ): Promise<number> {
    const signal = options?.abortSignal ? { abortSignal: options.abortSignal } : {};
    const { resources } = await container.items
      .query<{ id: string }>(
        {
          query: 'SELECT c.id FROM c WHERE c.tenantId = @tenantId AND c.integrationId = @integrationId',
          parameters: [
            { name: '@tenantId', value: tenantId },
            { name: '@integrationId', value: integrationId },
          ],
        },
        { partitionKey: tenantId, ...signal },
      )
      .fetchAll();
    let deleted = 0;
    for (let i = 0; i < resources.length; i += DELETE_CONCURRENCY) {
      const results = await Promise.all(
        resources.slice(i, i + DELETE_CONCURRENCY).map(async ({ id }) => {
          try {
            await container.item(id, tenantId).delete(signal);
            return 1;
          } catch (err) {
            if (cosmosStatus(err) === 404) return 0;
            throw err;
          }
        }),
      );
      deleted += results.reduce<number>((a, b) => a + b, 0);
    }
    return deleted;
  }
}
