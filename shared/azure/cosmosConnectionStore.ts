import type { Container, SqlParameter } from '@azure/cosmos';

import type { ConnectionDocument } from '../domain/connection';
import type { ConnectionFilter, ConnectionStore } from '../ports/connectionStore';
import type {
  DeleteOptions,
  Page,
  PageRequest,
  ReplaceOptions,
  StoreOptions,
  Versioned,
} from '../ports/documentStore';
import { CosmosTenantDocuments } from './cosmosDocuments';

export class CosmosConnectionStore implements ConnectionStore {
  private readonly docs: CosmosTenantDocuments<ConnectionDocument>;

  constructor(container: Container) {
    this.docs = new CosmosTenantDocuments(container, 'connection');
  }

  createConnection(doc: ConnectionDocument, options?: StoreOptions): Promise<Versioned<ConnectionDocument>> {
    return this.docs.create(doc, options);
  }

  getConnection(
    tenantId: string,
    connectionId: string,
    options?: StoreOptions,
  ): Promise<Versioned<ConnectionDocument> | undefined> {
    return this.docs.get(tenantId, connectionId, options);
  }

  listConnections(
    tenantId: string,
    filter: ConnectionFilter,
    page: PageRequest,
    options?: StoreOptions,
  ): Promise<Page<Versioned<ConnectionDocument>>> {
    const where: string[] = [];
    const parameters: SqlParameter[] = [];
    if (filter.provider !== undefined) {
      where.push('c.provider = @provider');
      parameters.push({ name: '@provider', value: filter.provider });
    }
    return this.docs.queryPage(tenantId, where, parameters, page, 'createdAt', options);
  }

  replaceConnection(
    doc: ConnectionDocument,
    options: ReplaceOptions,
  ): Promise<Versioned<ConnectionDocument>> {
    return this.docs.replace(doc, options.ifMatch, options);
  }

  deleteConnection(tenantId: string, connectionId: string, options: DeleteOptions = {}): Promise<boolean> {
    return this.docs.delete(tenantId, connectionId, options.ifMatch, options);
  }
}
