import type { Container } from '@azure/cosmos';

import type { IntegrationDocument } from '../domain/integration';
import { FREQUENCY_NCRONTAB } from '../domain/schedule';
import type { Page, PageRequest, StoreOptions, Versioned } from '../ports/documentStore';
import { InvalidContinuationTokenError } from '../ports/documentStore';
import type { DueIntegrationSource } from '../ports/dueIntegrations';
import { cosmosStatus } from './cosmosDocuments';
import { stripSystemFields } from './cosmosQuery';

const PERIODIC = Object.keys(FREQUENCY_NCRONTAB);

/**
 * The scheduler's cross-partition query. It runs once a minute over integrations only, and asks
 * for periodic schedules so MANUAL/REALTIME integrations never come back every tick.
 */
export class CosmosDueIntegrations implements DueIntegrationSource {
  constructor(private readonly container: Container) {}

  async listDueIntegrations(
    now: string,
    page: PageRequest,
    options: StoreOptions = {},
  ): Promise<Page<Versioned<IntegrationDocument>>> {
    const response = await this.container.items
      .query(
        {
          query:
            "SELECT * FROM c WHERE c.status = 'ACTIVE' AND (NOT IS_DEFINED(c.nextSyncAt) OR c.nextSyncAt <= @now) AND (IS_DEFINED(c.schedule.cron) OR ARRAY_CONTAINS(@periodic, c.schedule.frequency))",
          parameters: [
            { name: '@now', value: now },
            { name: '@periodic', value: PERIODIC },
          ],
        },
        {
          maxItemCount: page.limit,
          ...(page.continuationToken !== undefined ? { continuationToken: page.continuationToken } : {}),
          ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
        },
      )
      .fetchNext()
      .catch((err: unknown) => {
        if (page.continuationToken !== undefined && cosmosStatus(err) === 400) {
          throw new InvalidContinuationTokenError('continuation token not recognised');
        }
        throw err;
      });
    const token = response.continuationToken;
    return {
      items: response.resources.map((r: Record<string, unknown>) => ({
        value: stripSystemFields(r) as unknown as IntegrationDocument,
        etag: String(r['_etag']),
      })),
      ...(response.hasMoreResults && token.length > 0 ? { continuationToken: token } : {}),
    };
  }
}
