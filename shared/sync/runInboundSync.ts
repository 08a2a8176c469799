import { randomUUID } from 'node:crypto';

import type { IntegrationDocument } from '../domain/integration';
import type { SyncLogEntry } from '../domain/syncLog';
import type { InboundSyncPayload, SyncMode } from '../messages/envelope';
import type { StoreOptions, Versioned } from '../ports/documentStore';
import { DuplicateError, StaleEtagError } from '../ports/documentStore';
import type { SyncCheckpoint, SyncLease } from '../ports/leaseStore';
import type { RecordSource, SourceRecord } from '../ports/recordSource';
import type { DryRunReport, RecordFailure, RunCounts, SyncRun, SyncRunStatus } from '../ports/syncRunStore';
import { ZERO_COUNTS } from '../ports/syncRunStore';
import { classifyError } from '../reliability/classifyError';
import { ensureError } from '../reliability/errors';
import type { ApplyOutcome } from './applyRecords';
import { applyRecords } from './applyRecords';
import type { SyncDeps } from './deps';
import { clock } from './deps';
import { acquireLease, checkpointLease, LeaseLostError, readLease, releaseLease } from './lease';
import { mapperFor } from './resourceMapping';

/**
 * SyncInboundScheduled's use case: one run over one or more resource types, page by page, with
 * a checkpoint after every page so a crash resumes at the last completed page.
 */

export interface RunInboundSyncCommand extends StoreOptions {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly correlationId: string;
  readonly idempotencyKey: string;
  readonly payload: InboundSyncPayload;
  /**
   * The broker will not deliver this message again: a retryable failure is final now, so the
   * run is closed as FAILED (and the lease freed) instead of being left RUNNING.
   */
  readonly finalAttempt?: boolean;
}

/** Records in the overlap are unchanged and cost no writes; the window covers late commits and clock skew. */
export const INCREMENTAL_OVERLAP_MS = 2 * 60_000;
const MAX_FAILURES_KEPT = 100;
const MAX_REPORT_IDS = 1000;
const MAX_FAILURE_LOGS = 20;

const TERMINAL: readonly SyncRunStatus[] = ['SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'SKIPPED'];

interface TypeOutcome {
  readonly resourceType: string;
  readonly status: 'done' | 'skipped' | 'failed';
  readonly reason?: string;
  readonly counts: RunCounts;
  readonly failures: readonly RecordFailure[];
  readonly report: DryRunReport;
  readonly resumedFrom?: string;
  readonly watermark?: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly durationMs: number;
}

function addCounts(a: RunCounts, b: Partial<RunCounts>): RunCounts {
  return {
    processed: a.processed + (b.processed ?? 0),
    created: a.created + (b.created ?? 0),
    updated: a.updated + (b.updated ?? 0),
    deleted: a.deleted + (b.deleted ?? 0),
    unchanged: a.unchanged + (b.unchanged ?? 0),
    failed: a.failed + (b.failed ?? 0),
    pages: a.pages + (b.pages ?? 0),
  };
}

function maxIso(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}

/** Accumulates one resource type's page outcomes. */
class Tally {
  counts: RunCounts;
  failures: RecordFailure[] = [];
  wouldCreate: string[] = [];
  wouldUpdate: string[] = [];
  wouldDelete: string[] = [];
  highWater: string | undefined;
  private readonly seen = new Set<string>();

  constructor(start: RunCounts = ZERO_COUNTS, highWater?: string) {
    this.counts = start;
    this.highWater = highWater;
  }

  /** Drops records this run already applied (overlapping pages); they would only be counted twice. */
  fresh(records: readonly SourceRecord[]): SourceRecord[] {
    return records.filter((r) => {
      const key = `${r.externalId}\u0000${r.updatedAt ?? ''}`;
      if (this.seen.has(key)) return false;
      this.seen.add(key);
      return true;
    });
  }

  add(outcome: ApplyOutcome, pages: number): void {
    this.counts = addCounts(this.counts, { ...outcome.counts, pages });
    for (const f of outcome.failures) if (this.failures.length < MAX_FAILURES_KEPT) this.failures.push(f);
    const push = (to: string[], from: readonly string[]): void => {
      for (const id of from) if (to.length < MAX_REPORT_IDS) to.push(id);
    };
    push(this.wouldCreate, outcome.wouldCreate);
    push(this.wouldUpdate, outcome.wouldUpdate);
    push(this.wouldDelete, outcome.wouldDelete);
    this.highWater = maxIso(this.highWater, outcome.highWater);
  }

  report(): DryRunReport {
    return { wouldCreate: this.wouldCreate, wouldUpdate: this.wouldUpdate, wouldDelete: this.wouldDelete };
  }
}

function newRun(cmd: RunInboundSyncCommand, now: string): SyncRun {
  const p = cmd.payload;
  return {
    id: p.runId,
    tenantId: cmd.tenantId,
    integrationId: cmd.integrationId,
    trigger: p.trigger,
    mode: p.mode,
    resourceTypes: p.resourceTypes,
    ...(p.ids !== undefined ? { ids: p.ids } : {}),
    dryRun: p.dryRun,
    status: 'QUEUED',
    idempotencyKey: cmd.idempotencyKey,
    correlationId: cmd.correlationId,
    counts: ZERO_COUNTS,
    countsByResourceType: {},
    failures: [],
    createdAt: now,
    attempts: 0,
  };
}

async function saveRun(
  deps: SyncDeps,
  run: Versioned<SyncRun>,
  next: SyncRun,
  options: StoreOptions,
): Promise<Versioned<SyncRun>> {
  try {
    return await deps.runs.replaceRun(next, { ifMatch: run.etag, ...options });
  } catch (err) {
    if (!(err instanceof StaleEtagError)) throw err;
    // Only this run's worker writes its document after creation; a stale ETag means our own
    // earlier attempt wrote last. Ours is the newer state.
    const fresh = await deps.runs.getRun(next.tenantId, next.id, options);
    if (fresh === undefined) return deps.runs.createRun(next, options);
    return deps.runs.replaceRun(next, { ifMatch: fresh.etag, ...options });
  }
}

async function loadOrCreateRun(
  deps: SyncDeps,
  cmd: RunInboundSyncCommand,
  options: StoreOptions,
): Promise<Versioned<SyncRun>> {
  const existing = await deps.runs.getRun(cmd.tenantId, cmd.payload.runId, options);
  if (existing !== undefined) return existing;
  try {
    return await deps.runs.createRun(newRun(cmd, clock(deps).toISOString()), options);
  } catch (err) {
    if (!(err instanceof DuplicateError)) throw err;
    const raced = await deps.runs.getRun(cmd.tenantId, cmd.payload.runId, options);
    if (raced === undefined) throw err;
    return raced;
  }
}

function finalStatus(outcomes: readonly TypeOutcome[]): SyncRunStatus {
  if (outcomes.every((o) => o.status === 'skipped')) return 'SKIPPED';
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  const done = outcomes.filter((o) => o.status === 'done');
  if (failed > 0) return done.length > 0 ? 'PARTIAL_SUCCESS' : 'FAILED';
  return done.some((o) => o.counts.failed > 0) ? 'PARTIAL_SUCCESS' : 'SUCCESS';
}

export async function runInboundSync(deps: SyncDeps, cmd: RunInboundSyncCommand): Promise<SyncRun> {
  const options: StoreOptions = cmd.abortSignal ? { abortSignal: cmd.abortSignal } : {};
  let run = await loadOrCreateRun(deps, cmd, options);
  // A redelivered message for a finished run: nothing left to do, and doing it again is not harmless.
  if (TERMINAL.includes(run.value.status)) return run.value;

  const startedAt = clock(deps);
  const opened = await deps.openSource(cmd.tenantId, cmd.integrationId, options);
  if (
    opened === undefined ||
    opened.integration.value.status === 'PAUSED' ||
    opened.integration.value.status === 'DISABLED'
  ) {
    const reason =
      opened === undefined ? 'integration not found' : `integration is ${opened.integration.value.status}`;
    run = await saveRun(
      deps,
      run,
      {
        ...run.value,
        status: 'SKIPPED',
        statusReason: reason,
        finishedAt: startedAt.toISOString(),
        durationMs: 0,
      },
      options,
    );
    deps.logger.info('sync run skipped', { runId: run.value.id, reason });
    return run.value;
  }

  run = await saveRun(
    deps,
    run,
    {
      ...run.value,
      status: 'RUNNING',
      startedAt: run.value.startedAt ?? startedAt.toISOString(),
      attempts: run.value.attempts + 1,
    },
    options,
  );

  const integration = opened.integration.value;
  const outcomes: TypeOutcome[] = [];
  for (const resourceType of cmd.payload.resourceTypes) {
    outcomes.push(await syncResourceType(deps, cmd, integration, opened.source, resourceType, options));
  }

  const finishedAt = clock(deps);
  const counts = outcomes.reduce((sum, o) => addCounts(sum, o.counts), ZERO_COUNTS);
  const failures = outcomes.flatMap((o) => o.failures).slice(0, MAX_FAILURES_KEPT);
  const status = finalStatus(outcomes);
  const problems = outcomes.filter((o) => o.status !== 'done' && o.reason !== undefined);
  const firstError = outcomes.find((o) => o.error !== undefined)?.error;
  const resumedFrom = Object.fromEntries(
    outcomes.filter((o) => o.resumedFrom !== undefined).map((o) => [o.resourceType, o.resumedFrom as string]),
  );
  const final: SyncRun = {
    ...run.value,
    status,
    ...(problems.length > 0
      ? { statusReason: problems.map((o) => `${o.resourceType}: ${o.reason ?? ''}`).join('; ') }
      : {}),
    counts,
    countsByResourceType: Object.fromEntries(outcomes.map((o) => [o.resourceType, o.counts])),
    failures,
    ...(cmd.payload.dryRun
      ? {
          dryRunReport: {
            wouldCreate: outcomes.flatMap((o) => o.report.wouldCreate).slice(0, MAX_REPORT_IDS),
            wouldUpdate: outcomes.flatMap((o) => o.report.wouldUpdate).slice(0, MAX_REPORT_IDS),
            wouldDelete: outcomes.flatMap((o) => o.report.wouldDelete).slice(0, MAX_REPORT_IDS),
          },
        }
      : {}),
    ...(Object.keys(resumedFrom).length > 0 ? { resumedFrom } : {}),
    ...(firstError !== undefined ? { error: firstError } : {}),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - Date.parse(run.value.startedAt ?? startedAt.toISOString()),
  };
  run = await saveRun(deps, run, final, options);

  await writeLogs(deps, cmd, outcomes, options);
  if (!cmd.payload.dryRun) await recordOnIntegration(deps, cmd, outcomes, status, options);
  deps.telemetry?.trackMetric('sync.inbound.records', counts.processed, { status });
  deps.logger.info('sync run finished', {
    runId: final.id,
    integrationId: final.integrationId,
    status,
    processed: counts.processed,
    created: counts.created,
    updated: counts.updated,
    unchanged: counts.unchanged,
    failed: counts.failed,
    durationMs: final.durationMs,
  });
  return run.value;
}

async function syncResourceType(
  deps: SyncDeps,
  cmd: RunInboundSyncCommand,
  integration: IntegrationDocument,
  source: RecordSource,
  resourceType: string,
  options: StoreOptions,
): Promise<TypeOutcome> {
  const started = clock(deps).getTime();
  const key = { tenantId: cmd.tenantId, integrationId: cmd.integrationId, resourceType };
  const { runId, mode, dryRun, ids } = cmd.payload;
  const base = { resourceType, report: { wouldCreate: [], wouldUpdate: [], wouldDelete: [] } };
  const elapsed = (): number => clock(deps).getTime() - started;

  let mapper;
  try {
    mapper = mapperFor(integration, resourceType);
  } catch (err) {
    const e = ensureError(err);
    return {
      ...base,
      status: 'failed',
      reason: e.message,
      counts: ZERO_COUNTS,
      failures: [],
      error: { code: 'ConfigInvalid', message: e.message },
      durationMs: elapsed(),
    };
  }
  const apply = (records: readonly SourceRecord[], assumeNew = false): Promise<ApplyOutcome> =>
    applyRecords(deps, { ...key, mapper, dryRun, assumeNew, ...options }, records);

  // Named records: fetched one by one; the provider no longer having one means it was deleted.
  if (ids !== undefined && ids.length > 0) {
    const tally = new Tally();
    const records: SourceRecord[] = [];
    for (const externalId of ids) {
      const found = await source.getRecord(resourceType, externalId, options);
      records.push(found ?? { externalId, deleted: true, data: null });
    }
    tally.add(await apply(records), 1);
    return {
      ...base,
      status: 'done',
      counts: tally.counts,
      failures: tally.failures,
      report: tally.report(),
      durationMs: elapsed(),
    };
  }

  if (dryRun) {
    const lease = await readLease(deps.leases, key, options);
    const since = incrementalSince(mode, lease?.value.watermark);
    const tally = new Tally();
    for await (const page of source.listRecords({ resourceType, ...(since ? { since } : {}), ...options })) {
      tally.add(await apply(tally.fresh(page.records)), 1);
    }
    return {
      ...base,
      status: 'done',
      counts: tally.counts,
      failures: tally.failures,
      report: tally.report(),
      durationMs: elapsed(),
    };
  }

  const acquired = await acquireLease(deps.leases, key, runId, clock(deps), options);
  if (!acquired.ok) {
    return {
      ...base,
      status: 'skipped',
      reason: `run ${acquired.holder} holds the lease until ${acquired.expiresAt}`,
      counts: ZERO_COUNTS,
      failures: [],
      durationMs: elapsed(),
    };
  }
  let lease: Versioned<SyncLease> = acquired.lease;
  const previous = lease.value.checkpoint;
  const resume = previous !== undefined && previous.mode === mode ? previous : undefined;
  const sameRun = resume?.runId === runId;
  const since = resume !== undefined ? resume.since : incrementalSince(mode, lease.value.watermark);
  const tally = new Tally(sameRun ? resume.counts : ZERO_COUNTS, resume?.highWater);
  let cursor = resume?.cursor;
  const resumedFrom = resume !== undefined && !sameRun ? { resumedFrom: resume.runId } : {};
  // Never synced and nothing to resume: no record of this type can have a link from a run yet.
  const firstRun =
    previous === undefined &&
    lease.value.watermark === undefined &&
    lease.value.lastCompletedRunId === undefined;

  try {
    const pages = source.listRecords({
      resourceType,
      ...(since !== undefined ? { since } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
      ...options,
    });
    for await (const page of pages) {
      tally.add(await apply(tally.fresh(page.records), firstRun), 1);
      cursor = page.nextCursor;
      const checkpoint: SyncCheckpoint = {
        runId,
        mode,
        ...(since !== undefined ? { since } : {}),
        ...(cursor !== undefined ? { cursor } : {}),
        ...(tally.highWater !== undefined ? { highWater: tally.highWater } : {}),
        counts: tally.counts,
        at: clock(deps).toISOString(),
      };
      lease = await checkpointLease(deps.leases, lease, checkpoint, clock(deps), options);
    }
  } catch (err) {
    const c = classifyError(err);
    if (c.retryable && cmd.finalAttempt !== true && !(err instanceof LeaseLostError)) throw err;
    // Final: free the lease but keep the checkpoint, so the next run resumes where this one stopped.
    if (!(err instanceof LeaseLostError)) await releaseLease(deps.leases, lease, {}, clock(deps), options);
    const message = ensureError(err).message.slice(0, 500);
    deps.logger.warn('sync of resource type failed', { runId, resourceType, code: c.code, reason: c.reason });
    return {
      ...base,
      ...resumedFrom,
      status: 'failed',
      reason: message,
      counts: tally.counts,
      failures: tally.failures,
      error: { code: c.code, message },
      durationMs: elapsed(),
    };
  }

  const watermark = maxIso(lease.value.watermark, tally.highWater);
  await releaseLease(
    deps.leases,
    lease,
    { completed: { runId, ...(watermark ? { watermark } : {}) } },
    clock(deps),
    options,
  );
  return {
    ...base,
    ...resumedFrom,
    status: 'done',
    counts: tally.counts,
    failures: tally.failures,
    report: tally.report(),
    ...(watermark !== undefined ? { watermark } : {}),
    durationMs: elapsed(),
  };
}

function incrementalSince(mode: SyncMode, watermark: string | undefined): string | undefined {
  if (mode !== 'incremental' || watermark === undefined) return undefined;
  return new Date(Date.parse(watermark) - INCREMENTAL_OVERLAP_MS).toISOString();
}

async function writeLogs(
  deps: SyncDeps,
  cmd: RunInboundSyncCommand,
  outcomes: readonly TypeOutcome[],
  options: StoreOptions,
): Promise<void> {
  const now = clock(deps).toISOString();
  const entries: SyncLogEntry[] = [];
  for (const o of outcomes) {
    const status =
      o.status === 'skipped'
        ? 'SKIPPED'
        : o.status === 'failed'
          ? 'FAILED'
          : o.counts.failed > 0
            ? 'PARTIAL_SUCCESS'
            : 'SUCCESS';
    entries.push({
      id: randomUUID(),
      tenantId: cmd.tenantId,
      integrationId: cmd.integrationId,
      runId: cmd.payload.runId,
      operation: 'BULK_SYNC',
      direction: 'inbound',
      resourceType: o.resourceType,
      status,
      recordsProcessed: o.counts.processed,
      recordsSucceeded: o.counts.processed - o.counts.failed,
      recordsFailed: o.counts.failed,
      ...(o.error !== undefined
        ? { errorCode: o.error.code, errorMessage: o.error.message.slice(0, 2000) }
        : {}),
      durationMs: o.durationMs,
      retryCount: 0,
      correlationId: cmd.correlationId,
      createdAt: now,
    });
    for (const f of o.failures.slice(0, MAX_FAILURE_LOGS)) {
      entries.push({
        id: randomUUID(),
        tenantId: cmd.tenantId,
        integrationId: cmd.integrationId,
        runId: cmd.payload.runId,
        operation: 'BULK_SYNC',
        direction: 'inbound',
        resourceType: f.resourceType,
        resourceId: f.externalId,
        status: 'FAILED',
        recordsProcessed: 1,
        recordsSucceeded: 0,
        recordsFailed: 1,
        errorCode: f.code,
        errorMessage: f.message,
        retryCount: 0,
        correlationId: cmd.correlationId,
        createdAt: now,
      });
    }
  }
  await Promise.all(entries.map((e) => deps.syncLogs.appendSyncLog(e, options)));
}

/** lastSyncAt/lastSuccessAt/lastError and the watermark per resource type, visible in the admin API. */
async function recordOnIntegration(
  deps: SyncDeps,
  cmd: RunInboundSyncCommand,
  outcomes: readonly TypeOutcome[],
  status: SyncRunStatus,
  options: StoreOptions,
): Promise<void> {
  const now = clock(deps).toISOString();
  for (let round = 1; round <= 4; round++) {
    const current = await deps.integrations.getIntegration(cmd.tenantId, cmd.integrationId, options);
    if (current === undefined) return;
    const cursors: Record<string, unknown> = { ...current.value.cursors };
    for (const o of outcomes) {
      if (o.watermark !== undefined)
        cursors[o.resourceType] = { watermark: o.watermark, runId: cmd.payload.runId };
    }
    const error = outcomes.find((o) => o.error !== undefined)?.error;
    const { lastError: _lastError, ...rest } = current.value;
    const next: IntegrationDocument = {
      ...rest,
      cursors,
      lastSyncAt: now,
      ...(status === 'SUCCESS' || status === 'PARTIAL_SUCCESS' ? { lastSuccessAt: now } : {}),
      ...(error !== undefined
        ? { lastError: { ...error, at: now } }
        : current.value.lastError !== undefined && status !== 'SUCCESS'
          ? { lastError: current.value.lastError }
          : {}),
    };
    try {
      await deps.integrations.replaceIntegration(next, { ifMatch: current.etag, ...options });
      return;
    } catch (err) {
      if (!(err instanceof StaleEtagError)) throw err;
    }
  }
  deps.logger.warn('could not record the run on the integration after 4 attempts', {
    runId: cmd.payload.runId,
  });
}
