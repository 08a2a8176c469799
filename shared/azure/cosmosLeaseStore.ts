import type { Container } from '@azure/cosmos';

import type { ReplaceOptions, StoreOptions, Versioned } from '../ports/documentStore';
import type { LeaseStore, SyncLease } from '../ports/leaseStore';
import { CosmosTenantDocuments } from './cosmosDocuments';

/** Lease documents; exclusion rests on Cosmos' If-Match (412) and create-if-absent (409). */
export class CosmosLeaseStore implements LeaseStore {
  private readonly docs: CosmosTenantDocuments<SyncLease>;

  constructor(container: Container) {
    this.docs = new CosmosTenantDocuments(container, 'lease');
  }

  getLease(
    tenantId: string,
    leaseId: string,
    options?: StoreOptions,
  ): Promise<Versioned<SyncLease> | undefined> {
    return this.docs.get(tenantId, leaseId, options);
  }

  createLease(lease: SyncLease, options?: StoreOptions): Promise<Versioned<SyncLease>> {
    return this.docs.create(lease, options);
  }

  replaceLease(lease: SyncLease, options: ReplaceOptions): Promise<Versioned<SyncLease>> {
    return this.docs.replace(lease, options.ifMatch, options);
  }
}
