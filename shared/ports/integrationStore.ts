import type { IntegrationDocument, IntegrationStatus } from '../domain/integration';
import type {
  DeleteOptions,
  Page,
  PageRequest,
  ReplaceOptions,
  StoreOptions,
  Versioned,
} from './documentStore';

export interface IntegrationFilter {
  readonly status?: IntegrationStatus | undefined;
  readonly provider?: string | undefined;
  readonly connectionId?: string | undefined;
}

/**
 * Integrations, always addressed inside one tenant: a read with another tenant's id finds nothing.
 * Writes throw DuplicateError for a taken name and StaleEtagError for a stale If-Match.
 */
export interface IntegrationStore {
  createIntegration(
    doc: IntegrationDocument,
    options?: StoreOptions,
  ): Promise<Versioned<IntegrationDocument>>;
  getIntegration(
    tenantId: string,
    integrationId: string,
    options?: StoreOptions,
  ): Promise<Versioned<IntegrationDocument> | undefined>;
  /** Newest first. */
  listIntegrations(
    tenantId: string,
    filter: IntegrationFilter,
    page: PageRequest,
    options?: StoreOptions,
  ): Promise<Page<Versioned<IntegrationDocument>>>;
  replaceIntegration(
    doc: IntegrationDocument,
    options: ReplaceOptions,
  ): Promise<Versioned<IntegrationDocument>>;
  /** False when it did not exist. */
  deleteIntegration(tenantId: string, integrationId: string, options?: DeleteOptions): Promise<boolean>;
  countIntegrationsUsingConnection(
    tenantId: string,
    connectionId: string,
    options?: StoreOptions,
  ): Promise<number>;
}

/** Everything the engine keeps per integration outside its own document, removed with it. */
export interface IntegrationDataCounts {
  readonly links: number;
  readonly logs: number;
  readonly conflicts: number;
  readonly runs: number;
  readonly deadLetters: number;
  readonly webhookEvents: number;
}

export interface IntegrationDataStore {
  deleteIntegrationData(
    tenantId: string,
    integrationId: string,
    options?: StoreOptions,
  ): Promise<IntegrationDataCounts>;
}
