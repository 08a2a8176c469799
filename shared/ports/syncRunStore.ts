import type { SyncMode } from '../messages/envelope';
import type { Page, PageRequest, ReplaceOptions, StoreOptions, Versioned } from './documentStore';

export const SYNC_RUN_STATUSES = [
  'QUEUED',
  'RUNNING',
  'SUCCESS',
  'PARTIAL_SUCCESS',
  'FAILED',
  'SKIPPED',
] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];

export interface RunCounts {
  readonly processed: number;
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly unchanged: number;
  readonly failed: number;
  readonly pages: number;
}

export const ZERO_COUNTS: RunCounts = {
  processed: 0,
  created: 0,
  updated: 0,
  deleted: 0,
  unchanged: 0,
  failed: 0,
  pages: 0,
};

/** One record that could not be synced; the run goes on without it (PARTIAL_SUCCESS). */
export interface RecordFailure {
  readonly resourceType: string;
  readonly externalId: string;
  readonly code: string;
  /** Secret- and payload-free. */
  readonly message: string;
}

/** What a dry run would have done, by external id (capped; counts hold the totals). */
export interface DryRunReport {
  readonly wouldCreate: readonly string[];
  readonly wouldUpdate: readonly string[];
  readonly wouldDelete: readonly string[];
}

/** A sync_runs document (JobExecution): one manual request or one scheduled slot. */
export interface SyncRun {
  readonly id: string;
  readonly tenantId: string;
  readonly integrationId: string;
  readonly trigger: 'schedule' | 'manual';
  readonly mode: SyncMode;
  readonly resourceTypes: readonly string[];
  readonly ids?: readonly string[];
  readonly dryRun: boolean;
  readonly status: SyncRunStatus;
  readonly statusReason?: string;
  readonly idempotencyKey?: string;
  readonly correlationId?: string;
  readonly counts: RunCounts;
  readonly countsByResourceType: Readonly<Record<string, RunCounts>>;
  readonly failures: readonly RecordFailure[];
  readonly dryRunReport?: DryRunReport;
  /** Resource types that continued an interrupted run's checkpoint, with that run's id. */
  readonly resumedFrom?: Readonly<Record<string, string>>;
  readonly error?: { readonly code: string; readonly message: string };
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly attempts: number;
}

export interface SyncRunFilter {
  readonly status?: SyncRunStatus;
}

export interface SyncRunStore {
  /** Throws DuplicateError when a run with this id exists (a repeated idempotency key). */
  createRun(run: SyncRun, options?: StoreOptions): Promise<Versioned<SyncRun>>;
  getRun(tenantId: string, runId: string, options?: StoreOptions): Promise<Versioned<SyncRun> | undefined>;
  replaceRun(run: SyncRun, options: ReplaceOptions): Promise<Versioned<SyncRun>>;
  /** Newest first. */
  listRuns(
    tenantId: string,
    integrationId: string,
    filter: SyncRunFilter,
    page: PageRequest,
    options?: StoreOptions,
  ): Promise<Page<SyncRun>>;
}
