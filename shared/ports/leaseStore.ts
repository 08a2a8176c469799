import type { SyncMode } from '../messages/envelope';
import type { ReplaceOptions, StoreOptions, Versioned } from './documentStore';
import type { RunCounts } from './syncRunStore';

/** Where an interrupted run stopped: the next run of the same mode continues from here. */
export interface SyncCheckpoint {
  readonly runId: string;
  readonly mode: SyncMode;
  /** The incremental lower bound the run started with (undefined for full runs). */
  readonly since?: string;
  /** The adapter's resumable position after the last completed page. */
  readonly cursor?: string;
  /** Newest updated-at seen so far: the next watermark once the run completes. */
  readonly highWater?: string;
  readonly counts: RunCounts;
  readonly at: string;
}

/**
 * A `leases` document per (integration, resource type): who runs it now (ETag-guarded, with an
 * expiry so a crashed holder cannot block forever), where an interrupted run stopped, and the
 * incremental watermark of the last complete run.
 */
export interface SyncLease {
  readonly id: string;
  readonly tenantId: string;
  readonly integrationId: string;
  readonly resourceType: string;
  readonly holder?: string;
  readonly expiresAt?: string;
  readonly checkpoint?: SyncCheckpoint;
  readonly watermark?: string;
  readonly lastCompletedRunId?: string;
  readonly updatedAt: string;
}

export function syncLeaseId(integrationId: string, resourceType: string): string {
  return `sync:${integrationId}:${resourceType}`;
}

export interface LeaseStore {
  getLease(
    tenantId: string,
    leaseId: string,
    options?: StoreOptions,
  ): Promise<Versioned<SyncLease> | undefined>;
  /** Throws DuplicateError when it exists. */
  createLease(lease: SyncLease, options?: StoreOptions): Promise<Versioned<SyncLease>>;
  /** Throws StaleEtagError when someone else wrote it since it was read. */
  replaceLease(lease: SyncLease, options: ReplaceOptions): Promise<Versioned<SyncLease>>;
}
