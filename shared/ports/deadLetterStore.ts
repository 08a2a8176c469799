import type { StoreOptions } from './documentStore';

/**
 * A message the engine gave up on, with why (STYLE.md "Error model"): non-retryable failures are
 * recorded here at once and the message completed; nothing is dropped silently.
 */
export interface DeadLetterEntry {
  readonly id: string;
  readonly tenantId: string;
  readonly integrationId?: string;
  readonly queue: string;
  readonly messageId?: string;
  readonly code: string;
  /** Secret-free. */
  readonly reason: string;
  readonly deliveryCount?: number;
  readonly correlationId?: string;
  /** The message body as received, so an operator can replay it. */
  readonly message: unknown;
  readonly deadLetteredAt: string;
}

/** Tenant of messages too broken to name one. */
export const UNKNOWN_TENANT = '_unknown';

export interface DeadLetterStore {
  recordDeadLetter(entry: DeadLetterEntry, options?: StoreOptions): Promise<void>;
}
