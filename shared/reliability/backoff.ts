import type { ErrorClassification } from './classifyError';
import { classifyError } from './classifyError';
import { CancelledError, ensureError } from './errors';

export interface RetryPolicy {
  /** Total attempts including the first; 1 means "never retry". */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  /** Cap on the exponential part, before jitter. */
  readonly maxDelayMs: number;
  /**
   * A provider asking us to wait longer than this is better served by giving the message back to
   * the broker (or the scheduler) than by holding a function instance asleep.
   */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
};

/**
 * "Full jitter" (AWS Architecture Blog, Exponential Backoff and Jitter): a uniform delay in
 * [0, min(cap, base·2^retry)). It spreads a herd of retries better than equal or no jitter.
 * `retry` is 0 for the first retry.
 */
export function fullJitterDelayMs(
  retry: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const exp = policy.baseDelayMs * 2 ** Math.max(0, retry);
  const ceiling = Math.min(policy.maxDelayMs, Number.isFinite(exp) ? exp : policy.maxDelayMs);
  return Math.floor(random() * ceiling);
}

/**
 * The wait before the next attempt, or undefined to stop: not retryable, attempts used up, or the
 * provider's Retry-After exceeds what the policy will sleep. A server-given delay is honoured as a
 * floor (plus a little jitter so many workers do not return on the same millisecond).
 * `attemptsMade` counts attempts already made (1 after the first failure).
 */
export function nextRetryDelayMs(
  attemptsMade: number,
  classification: Pick<ErrorClassification, 'retryable' | 'retryAfterMs'>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): number | undefined {
  if (!classification.retryable) return undefined;
  if (attemptsMade >= policy.maxAttempts) return undefined;
  const jitter = fullJitterDelayMs(attemptsMade - 1, policy, random);
  const after = classification.retryAfterMs;
  if (after === undefined) return jitter;
  if (after > policy.maxRetryAfterMs) return undefined;
  return after + Math.floor(random() * Math.min(1000, policy.baseDelayMs));
}

/** setTimeout as a promise that rejects with a CancelledError when the signal aborts. */
export function sleep(ms: number, abortSignal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (abortSignal?.aborted === true) {
      reject(new CancelledError('aborted while waiting to retry', { cause: abortSignal.reason }));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError('aborted while waiting to retry', { cause: abortSignal?.reason }));
    };
    const timer = setTimeout(
      () => {
        abortSignal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    abortSignal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  readonly policy?: RetryPolicy;
  readonly abortSignal?: AbortSignal;
  readonly classify?: (error: unknown) => ErrorClassification;
  readonly random?: () => number;
  readonly sleep?: (ms: number, abortSignal?: AbortSignal) => Promise<void>;
  /** Observability hook; receives the classification, never the payload. */
  readonly onRetry?: (info: {
    attempt: number;
    delayMs: number;
    classification: ErrorClassification;
  }) => void;
}

/**
 * Runs `operation` until it succeeds, fails with a non-retryable error, or the policy gives up;
 * then rethrows the last error unchanged so callers still see the SyncError and its code.
 */
export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const classify = options.classify ?? ((e: unknown) => classifyError(e));
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (options.abortSignal?.aborted === true) throw ensureError(error);
      const classification = classify(error);
      const delayMs = nextRetryDelayMs(attempt, classification, policy, options.random);
      if (delayMs === undefined) throw ensureError(error);
      options.onRetry?.({ attempt, delayMs, classification });
      await wait(delayMs, options.abortSignal);
    }
  }
}
