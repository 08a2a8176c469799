import type { Container, SqlParameter } from '@azure/cosmos';

import type { SyncLogEntry } from '../domain/syncLog';
import type { Page, PageRequest, StoreOptions } from '../ports/documentStore';
import type { SyncLogFilter, SyncLogStore } from '../ports/syncLogStore';
import { CosmosTenantDocuments } from './cosmosDocuments';

export class CosmosSyncLogStore implements SyncLogStore {
  private readonly docs: CosmosTenantDocuments<SyncLogEntry>;

  constructor(private readonly container: Container) {
    this.docs = new CosmosTenantDocuments(container, 'sync log');
  }

  async appendSyncLog(entry: SyncLogEntry, options?: StoreOptions): Promise<void> {
    await this.container.items.create(
      entry,
      options?.abortSignal ? { abortSignal: options.abortSignal } : {},
    );
  }

  async listSyncLogs(
    tenantId: string,
    integrationId: string,
    filter: SyncLogFilter,
    page: PageRequest,
    options?: StoreOptions,
  ): Promise<Page<SyncLogEntry>> {
    const where = ['c.integrationId = @integrationId'];
    const parameters: SqlParameter[] = [{ name: '@integrationId', value: integrationId }];
    if (filter.status !== undefined) {
      where.push('c.status = @status');
      parameters.push({ name: '@status', value: filter.status });
    }
    if (filter.operation !== undefined) {
      where.push('c.operation = @operation');
      parameters.push({ name: '@operation', value: filter.operation });
    }
    const result = await this.docs.queryPage(tenantId, where, parameters, page, 'createdAt', options);
    return {
      items: result.items.map((v) => v.value),
      ...(result.continuationToken !== undefined ? { continuationToken: result.continuationToken } : {}),
    };
  }
}
