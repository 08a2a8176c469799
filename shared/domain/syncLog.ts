import { z } from 'zod';

/** One audit entry in sync_logs (seed 003 SyncLog), written by syncs, tests and config changes. */
export const SYNC_LOG_OPERATIONS = [
  'CREATE',
  'UPDATE',
  'DELETE',
  'BULK_SYNC',
  'WEBHOOK_RECEIVED',
  'TEST_CONNECTION',
  'CONFIG_CHANGE',
] as const;
export const SyncLogOperationSchema = z.enum(SYNC_LOG_OPERATIONS);
export type SyncLogOperation = z.infer<typeof SyncLogOperationSchema>;

export const SYNC_LOG_STATUSES = [
  'SUCCESS',
  'PARTIAL_SUCCESS',
  'FAILED',
  'CONFLICT_RESOLVED',
  'CONFLICT_PENDING',
  'SKIPPED',
] as const;
export const SyncLogStatusSchema = z.enum(SYNC_LOG_STATUSES);
export type SyncLogStatus = z.infer<typeof SyncLogStatusSchema>;

export const SyncLogEntrySchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  integrationId: z.string(),
  runId: z.string().optional(),
  operation: SyncLogOperationSchema,
  direction: z.enum(['inbound', 'outbound', 'none']),
  resourceType: z.string().optional(),
  resourceId: z.string().optional(),
  status: SyncLogStatusSchema,
  recordsProcessed: z.number().int().min(0),
  recordsSucceeded: z.number().int().min(0),
  recordsFailed: z.number().int().min(0),
  /** Secret-free: an error code and a short message, never a payload or a credential. */
  errorCode: z.string().optional(),
  errorMessage: z.string().max(2000).optional(),
  httpStatus: z.number().int().optional(),
  durationMs: z.number().min(0).optional(),
  retryCount: z.number().int().min(0),
  correlationId: z.string().optional(),
  createdAt: z.iso.datetime(),
});
export type SyncLogEntry = z.infer<typeof SyncLogEntrySchema>;
