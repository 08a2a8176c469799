import { sleep as defaultSleep } from '../../shared/reliability/backoff';
import type { HeaderReader, RetryHeaderNames } from '../../shared/reliability/classifyError';
import {
  mergeRetryHeaders,
  parseRateLimitReset,
  retryAfterFromHeaders,
} from '../../shared/reliability/classifyError';

export interface RateLimit {
  readonly requestsPerSecond: number;
  /** Requests allowed back to back after an idle period. */
  readonly burst: number;
}

export interface RateLimiterOptions extends RateLimit {
  readonly now?: () => number;
  readonly sleep?: (ms: number, abortSignal?: AbortSignal) => Promise<void>;
  /** Idle buckets beyond this many are forgotten (a full, unpaused bucket carries no state). */
  readonly maxKeys?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  pausedUntil: number;
}

/**
 * Token buckets keyed by connection id: each tenant connection gets the provider's rate, so one
 * tenant's bulk sync cannot exhaust another's quota, and a provider that says "slow down"
 * (429 + Retry-After, or X-RateLimit-Remaining: 0 until the reset) pauses only that connection.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, abortSignal?: AbortSignal) => Promise<void>;
  private readonly maxKeys: number;

  constructor(options: RateLimiterOptions) {
    if (!(options.requestsPerSecond > 0) || !(options.burst >= 1))
      throw new Error('rate limit must be positive');
    this.rate = options.requestsPerSecond / 1000;
    this.burst = options.burst;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /** Waits until `key` may send one request, then takes its token. Rejects with CancelledError on abort. */
  async acquire(key: string, abortSignal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.tryTake(key);
      if (wait === 0) return;
      await this.sleep(wait, abortSignal);
    }
  }

  /** Milliseconds until `key` could send, without taking a token. */
  waitTime(key: string): number {
    const b = this.refill(key);
    const now = this.now();
    if (b.pausedUntil > now) return b.pausedUntil - now;
    return b.tokens >= 1 ? 0 : Math.ceil((1 - b.tokens) / this.rate);
  }

  /** Stops `key` until `untilMs` (epoch ms), keeping the later of two pauses. */
  pause(key: string, untilMs: number): void {
    const b = this.refill(key);
    b.pausedUntil = Math.max(b.pausedUntil, untilMs);
  }

  /**
   * Reads a response's rate-limit headers: Retry-After (on 429/503) or an exhausted
   * X-RateLimit-Remaining with its reset time pause the connection.
   */
  observe(key: string, status: number, headers: HeaderReader, names?: RetryHeaderNames): void {
    const now = this.now();
    const retryHeaders = mergeRetryHeaders(names);
    if (status === 429 || status === 503) {
      const ms = retryAfterFromHeaders(headers, { now, retryHeaders });
      if (ms !== undefined) this.pause(key, now + ms);
      else if (status === 429) this.pause(key, now + 1000);
      return;
    }
    const remaining = retryHeaders.rateLimitRemaining.map((h) => headers(h)).find((v) => v !== undefined);
    if (remaining === undefined || Number(remaining.trim()) > 0) return;
    const reset = retryHeaders.rateLimitReset
      .map((h) => parseRateLimitReset(headers(h), now))
      .find((v) => v !== undefined);
    if (reset !== undefined) this.pause(key, now + reset);
  }

  private tryTake(key: string): number {
    const wait = this.waitTime(key);
    if (wait > 0) return wait;
    const b = this.refill(key);
    b.tokens -= 1;
    return 0;
  }

  private refill(key: string): Bucket {
    const now = this.now();
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.maxKeys) this.evictIdle(now);
      b = { tokens: this.burst, updatedAt: now, pausedUntil: 0 };
      this.buckets.set(key, b);
      return b;
    }
    const elapsed = Math.max(0, now - b.updatedAt);
    b.tokens = Math.min(this.burst, b.tokens + elapsed * this.rate);
    b.updatedAt = now;
    return b;
  }

  private evictIdle(now: number): void {
    for (const [k, b] of this.buckets) {
      const tokens = Math.min(this.burst, b.tokens + Math.max(0, now - b.updatedAt) * this.rate);
      if (tokens >= this.burst && b.pausedUntil <= now) this.buckets.delete(k);
    }
  }
}
