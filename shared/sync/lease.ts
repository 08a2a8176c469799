import type { StoreOptions, Versioned } from '../ports/documentStore';
import { DuplicateError, StaleEtagError } from '../ports/documentStore';
import type { LeaseStore, SyncCheckpoint, SyncLease } from '../ports/leaseStore';
import { syncLeaseId } from '../ports/leaseStore';
import { SyncError } from '../reliability/errors';

/**
 * Cross-instance exclusion for one (integration, resource type): an ETag-guarded document with an
 * expiry. Every checkpoint renews it, so a live run keeps it and a crashed one frees it after
 * LEASE_TTL_MS; the next run then continues from the crashed run's checkpoint.
 */
export const LEASE_TTL_MS = 5 * 60_000;

/** Another writer replaced the lease: this run no longer owns its resource type and must stop. */
export class LeaseLostError extends SyncError {
  constructor(resourceType: string) {
    super('RecordConflict', `lease for ${resourceType} was taken over by another run`, { retryable: false });
  }
}

export interface LeaseKey {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly resourceType: string;
}

export type AcquireResult =
  | { readonly ok: true; readonly lease: Versioned<SyncLease> }
  | { readonly ok: false; readonly holder: string; readonly expiresAt: string };

const ROUNDS = 4;

export async function readLease(
  leases: LeaseStore,
  key: LeaseKey,
  options?: StoreOptions,
): Promise<Versioned<SyncLease> | undefined> {
  return leases.getLease(key.tenantId, syncLeaseId(key.integrationId, key.resourceType), options);
}

export async function acquireLease(
  leases: LeaseStore,
  key: LeaseKey,
  runId: string,
  now: Date,
  options: StoreOptions = {},
): Promise<AcquireResult> {
  const expiresAt = new Date(now.getTime() + LEASE_TTL_MS).toISOString();
  for (let round = 1; ; round++) {
    const current = await readLease(leases, key, options);
    try {
      if (current === undefined) {
        const lease = await leases.createLease(
          {
            id: syncLeaseId(key.integrationId, key.resourceType),
            tenantId: key.tenantId,
            integrationId: key.integrationId,
            resourceType: key.resourceType,
            holder: runId,
            expiresAt,
            updatedAt: now.toISOString(),
          },
          options,
        );
        return { ok: true, lease };
      }
      const { holder, expiresAt: heldUntil } = current.value;
      // The same run comes back after a redelivery: it still owns what it held.
      if (
        holder !== undefined &&
        holder !== runId &&
        heldUntil !== undefined &&
        Date.parse(heldUntil) > now.getTime()
      ) {
        return { ok: false, holder, expiresAt: heldUntil };
      }
      const lease = await leases.replaceLease(
        { ...current.value, holder: runId, expiresAt, updatedAt: now.toISOString() },
        { ifMatch: current.etag, ...options },
      );
      return { ok: true, lease };
    } catch (err) {
      if (!(err instanceof DuplicateError || err instanceof StaleEtagError) || round >= ROUNDS) throw err;
    }
  }
}

/** Records progress and renews the lease in one write; LeaseLostError when someone took it. */
export async function checkpointLease(
  leases: LeaseStore,
  lease: Versioned<SyncLease>,
  checkpoint: SyncCheckpoint,
  now: Date,
  options: StoreOptions = {},
): Promise<Versioned<SyncLease>> {
  try {
    return await leases.replaceLease(
      {
        ...lease.value,
        checkpoint,
        expiresAt: new Date(now.getTime() + LEASE_TTL_MS).toISOString(),
        updatedAt: now.toISOString(),
      },
      { ifMatch: lease.etag, ...options },
    );
  } catch (err) {
    if (err instanceof StaleEtagError) throw new LeaseLostError(lease.value.resourceType);
    throw err;
  }
}

export interface ReleaseChange {
  /** The run finished its resource type: forget the checkpoint and move the watermark. */
  readonly completed?: { readonly runId: string; readonly watermark?: string };
}

/** Frees the lease; a checkpoint stays unless the run completed, so the next run can resume. */
export async function releaseLease(
  leases: LeaseStore,
  lease: Versioned<SyncLease>,
  change: ReleaseChange,
  now: Date,
  options: StoreOptions = {},
): Promise<void> {
  const { holder: _holder, expiresAt: _expiresAt, checkpoint, ...rest } = lease.value;
  const next: SyncLease =
    change.completed !== undefined
      ? {
          ...rest,
          ...(change.completed.watermark !== undefined ? { watermark: change.completed.watermark } : {}),
          lastCompletedRunId: change.completed.runId,
          updatedAt: now.toISOString(),
        }
      : { ...rest, ...(checkpoint !== undefined ? { checkpoint } : {}), updatedAt: now.toISOString() };
  try {
    await leases.replaceLease(next, { ifMatch: lease.etag, ...options });
  } catch (err) {
    if (err instanceof StaleEtagError) throw new LeaseLostError(lease.value.resourceType);
    throw err;
  }
}
