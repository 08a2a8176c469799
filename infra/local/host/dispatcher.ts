import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import type { CoreApiState, RegisteredCallback } from './coreApi';
import type {
  RpcBindingInfo,
  RpcInvocationResponse,
  RpcRetryContext,
  RpcTraceContext,
  RpcTypedData,
} from './coreTypes';
import { invokeRegisteredFunction } from './invoke';
import type { HostLogger, TriggerKind } from './logger';

/** A registered function together with what the host needs to drive it. */
export interface HostedFunction {
  readonly name: string;
  readonly trigger: TriggerKind;
  readonly registered: RegisteredCallback;
  readonly triggerBindingName: string;
  readonly triggerBinding: RpcBindingInfo;
}

export interface InvocationInit {
  readonly triggerData: RpcTypedData;
  readonly triggerMetadata?: Record<string, RpcTypedData>;
  /** From `x-correlation-id` or the message's correlationId; the invocation id otherwise. */
  readonly correlationId?: string | undefined;
  readonly retryContext?: RpcRetryContext;
  readonly traceContext?: RpcTraceContext;
}

export interface InvocationResult {
  readonly invocationId: string;
  readonly correlationId: string;
  readonly durationMs: number;
  readonly response?: RpcInvocationResponse;
  /** Set when the function (or a hook) failed; `response` is then absent. */
  readonly error?: unknown;
}

/**
 * Correlation ids come from callers (headers, message properties); control characters could
 * forge log lines and an unbounded id could flood them, so the logged id is cleaned and capped.
 */
export function safeCorrelationId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // eslint-disable-next-line no-control-regex
  const cleaned = value.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 128);
  return cleaned === '' ? undefined : cleaned;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : 'non-Error value thrown';
}

/**
 * Runs invocations for every trigger: assigns ids, routes context.log through the host logger,
 * enforces functionTimeout and tracks what is in flight so stop() can drain it.
 */
export class Dispatcher {
  readonly #state: CoreApiState;
  readonly #logger: HostLogger;
  readonly #timeoutMs: number | undefined;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(state: CoreApiState, logger: HostLogger, timeoutMs: number | undefined) {
    this.#state = state;
    this.#logger = logger;
    this.#timeoutMs = timeoutMs;
  }

  get logger(): HostLogger {
    return this.#logger;
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /** Runs one invocation; never rejects — the outcome is in the result. */
  run(fn: HostedFunction, init: InvocationInit): Promise<InvocationResult> {
    const work = this.#run(fn, init);
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
    return work;
  }

  /** Tracks work that belongs to an invocation but happens after it (settling a message). */
  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#inFlight.add(settled);
    void settled.finally(() => this.#inFlight.delete(settled));
    return work;
  }

  report(fn: HostedFunction, result: InvocationResult, detail?: string): void {
    this.#logger.invocation({
      functionName: fn.name,
      trigger: fn.trigger,
      invocationId: result.invocationId,
      correlationId: result.correlationId,
      durationMs: result.durationMs,
      outcome: 'error' in result ? 'error' : 'ok',
      ...(detail === undefined ? {} : { detail }),
      ...('error' in result ? { error: describeError(result.error) } : {}),
    });
  }

  /** Waits for in-flight invocations, up to `timeoutMs`; returns how many were still running. */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.#inFlight.size > 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return this.#inFlight.size;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.#inFlight]),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, remaining);
        }),
      ]);
      clearTimeout(timer);
    }
    return 0;
  }

  async #run(fn: HostedFunction, init: InvocationInit): Promise<InvocationResult> {
    const invocationId = randomUUID();
    const correlationId = safeCorrelationId(init.correlationId) ?? invocationId;
    const started = performance.now();
    try {
      const response = await invokeRegisteredFunction({
        state: this.#state,
        fn: fn.registered,
        timeoutMs: this.#timeoutMs,
        request: {
          invocationId,
          functionId: fn.name,
          inputData: [{ name: fn.triggerBindingName, data: init.triggerData }],
          triggerMetadata: init.triggerMetadata ?? {},
          ...(init.retryContext ? { retryContext: init.retryContext } : {}),
          ...(init.traceContext ? { traceContext: init.traceContext } : {}),
        },
        log: (level, category, message) => {
          this.#logger.functionLog({
            level,
            category,
            functionName: fn.name,
            invocationId,
            correlationId,
            message,
          });
        },
      });
      return { invocationId, correlationId, durationMs: performance.now() - started, response };
    } catch (error) {
      return { invocationId, correlationId, durationMs: performance.now() - started, error };
    }
  }
}
