import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The correlation id of the work in progress. HTTP requests take it from `x-correlation-id`
 * (or start one), messages carry it in their envelope, and every log line and outgoing message
 * reads it from here, so one id follows a webhook from the receiver to the record write.
 */
const storage = new AsyncLocalStorage<{ readonly correlationId: string }>();

export const CORRELATION_HEADER = 'x-correlation-id';

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a caller's id only when it is safe to echo into headers and logs. */
export function normalizeCorrelationId(candidate: string | null | undefined): string {
  return candidate !== null && candidate !== undefined && VALID_ID.test(candidate) ? candidate : randomUUID();
}

export function runWithCorrelation<T>(correlationId: string, fn: () => T): T {
  return storage.run({ correlationId }, fn);
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}
