import type { Container, SqlParameter } from '@azure/cosmos';

import type { IntegrationDocument } from '../domain/integration';
import type {
  DeleteOptions,
  Page,
  PageRequest,
  ReplaceOptions,
  StoreOptions,
  Versioned,
} from '../ports/documentStore';
import type { IntegrationFilter, IntegrationStore } from '../ports/integrationStore';
import { CosmosTenantDocuments } from './cosmosDocuments';

export class CosmosIntegrationStore implements IntegrationStore {
  private readonly docs: CosmosTenantDocuments<IntegrationDocument>;

  constructor(container: Container) {
    this.docs = new CosmosTenantDocuments(container, 'integration');
  }

  createIntegration(
    doc: IntegrationDocument,
    options?: StoreOptions,
  ): Promise<Versioned<IntegrationDocument>> {
    return this.docs.create(doc, options);
  }

  getIntegration(
    tenantId: string,
    integrationId: string,
    options?: StoreOptions,
  ): Promise<Versioned<IntegrationDocument> | undefined> {
    return this.docs.get(tenantId, integrationId, options);
  }

  listIntegrations(
    tenantId: string,
    filter: IntegrationFilter,
    page: PageRequest,
    options?: StoreOptions,
  ): Promise<Page<Versioned<IntegrationDocument>>> {
    const where: string[] = [];
    const parameters: SqlParameter[] = [];
    if (filter.status !== undefined) {
      where.push('c.status = @status');
      parameters.push({ name: '@status', value: filter.status });
    }
    if (filter.provider !== undefined) {
      where.push('c.provider = @provider');
      parameters.push({ name: '@provider', value: filter.provider });
    }
    if (filter.connectionId !== undefined) {
      where.push('c.connectionId = @connectionId');
      parameters.push({ name: '@connectionId', value: filter.connectionId });
    }
    return this.docs.queryPage(tenantId, where, parameters, page, 'createdAt', options);
  }

  replaceIntegration(
    doc: IntegrationDocument,
    options: ReplaceOptions,
  ): Promise<Versioned<IntegrationDocument>> {
    return this.docs.replace(doc, options.ifMatch, options);
  }

  deleteIntegration(tenantId: string, integrationId: string, options: DeleteOptions = {}): Promise<boolean> {
    return this.docs.delete(tenantId, integrationId, options.ifMatch, options);
  }

  countIntegrationsUsingConnection(tenantId: string, connectionId: string): Promise<number> {
    return this.docs.count(
      tenantId,
      ['c.connectionId = @connectionId'],
      [{ name: '@connectionId', value: connectionId }],
    );
  }
}
