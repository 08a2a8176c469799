import type { IntegrationDocument } from '../domain/integration';
import type { Page, PageRequest, StoreOptions, Versioned } from './documentStore';

/**
 * The scheduler's one cross-tenant read: ACTIVE integrations whose nextSyncAt has come (or was
 * never set). Every other read of integrations is scoped to one tenant.
 */
export interface DueIntegrationSource {
  listDueIntegrations(
    now: string,
    page: PageRequest,
    options?: StoreOptions,
  ): Promise<Page<Versioned<IntegrationDocument>>>;
}
