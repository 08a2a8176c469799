import { classifyError } from './classifyError';
import { ProviderUnavailableError } from './errors';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before letting a trial call through. */
  readonly resetTimeoutMs?: number;
  /** Trial calls allowed at once while half-open. */
  readonly halfOpenMaxCalls?: number;
  /** Injectable clock (epoch ms) so tests never sleep. */
  readonly now?: () => number;
  /**
   * Which errors count against the provider. Default: retryable ones. A 404 or a validation error
   * says nothing about the provider's health and must not open the circuit.
   */
  readonly isFailure?: (error: unknown) => boolean;
  /** Used in the error message only (e.g. provider id); never a URL with credentials. */
  readonly name?: string;
  readonly onStateChange?: (from: CircuitState, to: CircuitState) => void;
}

/**
 * Stops hammering a provider that is down: after `failureThreshold` consecutive failures calls fail
 * fast with a retryable ProviderUnavailable (carrying the remaining open time as retryAfterMs) until
 * `resetTimeoutMs` passes; then a limited number of trial calls decide between closing and
 * re-opening.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private consecutiveFailures = 0;
  private openedAt = 0;
  private trialsInFlight = 0;
  private readonly failureThreshold: number;
  private readonly resetTimeoutMs: number;
  private readonly halfOpenMaxCalls: number;
  private readonly now: () => number;
  private readonly isFailure: (error: unknown) => boolean;

  constructor(private readonly options: CircuitBreakerOptions = {}) {
    this.failureThreshold = Math.max(1, options.failureThreshold ?? 5);
    this.resetTimeoutMs = Math.max(0, options.resetTimeoutMs ?? 30_000);
    this.halfOpenMaxCalls = Math.max(1, options.halfOpenMaxCalls ?? 1);
    this.now = options.now ?? Date.now;
    this.isFailure = options.isFailure ?? ((e) => classifyError(e).retryable);
  }

  /** The state as of now: an open circuit whose timeout has passed reads as half-open. */
  get state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.resetTimeoutMs) return 'half-open';
    return this.current;
  }

  async execute<T>(operation: () => Promise<T>): Promise<T> {
    const trial = this.admit();
    let result: T;
    try {
      result = await operation();
    } catch (error) {
      this.settle(trial, this.isFailure(error));
      throw error;
    }
    this.settle(trial, false);
    return result;
  }

  /** Throws when the call must not go out; returns whether it is a half-open trial. */
  private admit(): boolean {
    const state = this.state;
    if (state === 'closed') return false;
    if (state === 'half-open' && this.trialsInFlight < this.halfOpenMaxCalls) {
      if (this.current !== 'half-open') this.transition('half-open');
      this.trialsInFlight++;
      return true;
    }
    const remaining =
      state === 'open' ? this.resetTimeoutMs - (this.now() - this.openedAt) : this.resetTimeoutMs;
    throw new ProviderUnavailableError(
      `circuit open${this.options.name !== undefined ? ` for ${this.options.name}` : ''}`,
      {
        retryAfterMs: Math.max(0, remaining),
        details: { reason: 'circuit-open' },
      },
    );
  }

  private settle(trial: boolean, failed: boolean): void {
    if (trial) this.trialsInFlight = Math.max(0, this.trialsInFlight - 1);
    if (failed) {
      this.consecutiveFailures++;
      if (trial || this.current === 'half-open' || this.consecutiveFailures >= this.failureThreshold) {
        this.openedAt = this.now();
        this.transition('open');
      }
      return;
    }
    this.consecutiveFailures = 0;
    if (trial || this.current === 'half-open') this.transition('closed');
  }

  private transition(to: CircuitState): void {
    const from = this.current;
    if (from === to && to !== 'open') return;
    this.current = to;
    if (to !== 'half-open') this.trialsInFlight = to === 'closed' ? 0 : this.trialsInFlight;
    if (from !== to) this.options.onStateChange?.(from, to);
  }
}
