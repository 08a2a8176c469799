import type { Container, SqlParameter } from '@azure/cosmos';

import type { Page, PageRequest, ReplaceOptions, StoreOptions, Versioned } from '../ports/documentStore';
import type { CanonicalRecord, RecordFilter, RecordStore } from '../ports/recordStore';
import { recordDocumentId } from '../ports/recordStore';
import { CosmosTenantDocuments } from './cosmosDocuments';
import { queryPage } from './cosmosQuery';

export class CosmosRecordStore implements RecordStore {
  private readonly docs: CosmosTenantDocuments<CanonicalRecord>;

  constructor(private readonly container: Container) {
    this.docs = new CosmosTenantDocuments(container, 'record');
  }

  getRecord(
    tenantId: string,
    resourceType: string,
    recordId: string,
    options?: StoreOptions,
  ): Promise<Versioned<CanonicalRecord> | undefined> {
    return this.docs.get(tenantId, recordDocumentId(resourceType, recordId), options);
  }

  createRecord(record: CanonicalRecord, options?: StoreOptions): Promise<Versioned<CanonicalRecord>> {
    return this.docs.create(record, options);
  }

  replaceRecord(record: CanonicalRecord, options: ReplaceOptions): Promise<Versioned<CanonicalRecord>> {
    return this.docs.replace(record, options.ifMatch, options);
  }

  async listRecords(
    tenantId: string,
    resourceType: string,
    filter: RecordFilter,
    page: PageRequest,
    options?: StoreOptions,
  ): Promise<Page<CanonicalRecord>> {
    const where = ['c.tenantId = @tenantId', 'c.resourceType = @resourceType'];
    const parameters: SqlParameter[] = [
      { name: '@tenantId', value: tenantId },
      { name: '@resourceType', value: resourceType },
    ];
    if (filter.updatedSince !== undefined) {
      where.push('c.updatedAt >= @since');
      parameters.push({ name: '@since', value: filter.updatedSince });
    }
    if (filter.includeDeleted !== true) where.push('c.deleted = false');
    return queryPage<CanonicalRecord>(
      this.container,
      tenantId,
      { query: `SELECT * FROM c WHERE ${where.join(' AND ')} ORDER BY c.updatedAt ASC`, parameters },
      page,
      options,
    );
  }
}
