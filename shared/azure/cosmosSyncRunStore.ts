import type { Container, SqlParameter } from '@azure/cosmos';

import type { Page, PageRequest, ReplaceOptions, StoreOptions, Versioned } from '../ports/documentStore';
import type { SyncRun, SyncRunFilter, SyncRunStore } from '../ports/syncRunStore';
import { CosmosTenantDocuments } from './cosmosDocuments';
import { queryPage } from './cosmosQuery';

export class CosmosSyncRunStore implements SyncRunStore {
  private readonly docs: CosmosTenantDocuments<SyncRun>;

  constructor(private readonly container: Container) {
    this.docs = new CosmosTenantDocuments(container, 'sync run');
  }

  createRun(run: SyncRun, options?: StoreOptions): Promise<Versioned<SyncRun>> {
    return this.docs.create(run, options);
  }

  getRun(tenantId: string, runId: string, options?: StoreOptions): Promise<Versioned<SyncRun> | undefined> {
    return this.docs.get(tenantId, runId, options);
  }

  replaceRun(run: SyncRun, options: ReplaceOptions): Promise<Versioned<SyncRun>> {
    return this.docs.replace(run, options.ifMatch, options);
  }

  listRuns(
    tenantId: string,
    integrationId: string,
    filter: SyncRunFilter,
    page: PageRequest,
    options?: StoreOptions,
  ): Promise<Page<SyncRun>> {
    const where = ['c.tenantId = @tenantId', 'c.integrationId = @integrationId'];
    const parameters: SqlParameter[] = [
      { name: '@tenantId', value: tenantId },
      { name: '@integrationId', value: integrationId },
    ];
    if (filter.status !== undefined) {
      where.push('c.status = @status');
      parameters.push({ name: '@status', value: filter.status });
    }
    return queryPage<SyncRun>(
      this.container,
      tenantId,
      { query: `SELECT * FROM c WHERE ${where.join(' AND ')} ORDER BY c.createdAt DESC`, parameters },
      page,
      options,
    );
  }
}
