import type { SyncLogEntry, SyncLogOperation, SyncLogStatus } from '../domain/syncLog';
import type { Page, PageRequest, StoreOptions } from './documentStore';

export interface SyncLogFilter {
  readonly status?: SyncLogStatus | undefined;
  readonly operation?: SyncLogOperation | undefined;
}

/** The sync_logs audit trail (partition /tenantId); retention is the container's TTL plus a cleanup job. */
export interface SyncLogStore {
  appendSyncLog(entry: SyncLogEntry, options?: StoreOptions): Promise<void>;
  /** Newest first. */
  listSyncLogs(
    tenantId: string,
    integrationId: string,
    filter: SyncLogFilter,
    page: PageRequest,
    options?: StoreOptions,
  ): Promise<Page<SyncLogEntry>>;
}
