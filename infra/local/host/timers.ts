import type { RpcDuration, RpcRetryOptions } from './coreTypes';
import type { Dispatcher, HostedFunction, InvocationResult } from './dispatcher';
import { parseSchedule, type Schedule } from './ncrontab';

/** .NET's DateTime.MinValue, what ScheduleStatus.Last holds before a timer has ever fired. */
const NEVER = '0001-01-01T00:00:00.000Z';
/** A timer that fires this late reports `isPastDue` (an occurrence the host could not honour on time). */
const PAST_DUE_TOLERANCE_MS = 1000;
/** setTimeout's limit; longer waits are re-armed in steps. */
const MAX_TIMEOUT_MS = 2_147_483_647;

export interface TimerHostOptions {
  readonly timeZone?: string;
  readonly resolve: (value: string) => string;
}

export interface RunningTimers {
  /** Cancels pending occurrences and retries; invocations already running finish on their own. */
  stop(): void;
}

function durationMs(duration: RpcDuration | null | undefined): number {
  if (!duration) return 0;
  return (duration.seconds ?? 0) * 1000 + Math.round((duration.nanos ?? 0) / 1e6);
}

/** Delay before retry number `attempt` (1-based), per the function's retry policy. */
export function retryDelayMs(options: RpcRetryOptions, attempt: number): number {
  if (options.retryStrategy === 'exponentialBackoff') {
    const min = durationMs(options.minimumInterval);
    const max = durationMs(options.maximumInterval);
    return Math.min(max, min * 2 ** (attempt - 1));
  }
  return durationMs(options.delayInterval);
}

class TimerRunner {
  readonly #fn: HostedFunction;
  readonly #dispatcher: Dispatcher;
  readonly #schedule: Schedule;
  #handle: NodeJS.Timeout | undefined;
  #last: Date | undefined;
  #stopped = false;

  constructor(fn: HostedFunction, dispatcher: Dispatcher, schedule: Schedule) {
    this.#fn = fn;
    this.#dispatcher = dispatcher;
    this.#schedule = schedule;
  }

  start(runOnStartup: boolean): void {
    if (runOnStartup) {
      // The schedule starts after the startup run, so the timer never overlaps itself.
      void this.#fire(new Date(), false).then(() => {
        this.#arm();
      });
    } else {
      this.#arm();
    }
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#handle);
  }

  #arm(): void {
    if (this.#stopped) return;
    const due = this.#schedule.next(new Date());
    const wait = (): void => {
      const remaining = due.getTime() - Date.now();
      if (remaining > 0) {
        this.#handle = setTimeout(wait, Math.min(remaining, MAX_TIMEOUT_MS));
        return;
      }
      void this.#fire(due, -remaining > PAST_DUE_TOLERANCE_MS).then(() => {
        // The next occurrence is computed from the end of this run: occurrences that passed
        // while the function ran are skipped, as the Functions host does.
        this.#arm();
      });
    };
    wait();
  }

  async #fire(occurrence: Date, isPastDue: boolean): Promise<void> {
    const retry = this.#fn.registered.metadata.retryOptions;
    const maxRetries = retry?.maxRetryCount ?? 0;
    for (let attempt = 0; ; attempt += 1) {
      if (this.#stopped) return;
      const timerInput = {
        Schedule: { AdjustForDST: true },
        ScheduleStatus: {
          Last: this.#last?.toISOString() ?? NEVER,
          Next: this.#schedule.next(occurrence).toISOString(),
          LastUpdated: new Date().toISOString(),
        },
        IsPastDue: isPastDue,
      };
      const result: InvocationResult = await this.#dispatcher.run(this.#fn, {
        triggerData: { json: JSON.stringify(timerInput) },
        ...(retry ? { retryContext: { retryCount: attempt, maxRetryCount: maxRetries } } : {}),
      });
      const retrying =
        'error' in result && retry !== undefined && (maxRetries === -1 || attempt < maxRetries);
      this.#dispatcher.report(
        this.#fn,
        result,
        `${this.#schedule.expression}${isPastDue ? ' pastDue' : ''}${retrying ? ` retry ${attempt + 1}` : ''}`,
      );
      if (!retrying) break;
      await new Promise<void>((resolve) => {
        this.#handle = setTimeout(resolve, retryDelayMs(retry, attempt + 1));
      });
    }
    this.#last = occurrence;
  }
}

/** Starts every timer trigger: NCRONTAB or TimeSpan schedules, `runOnStartup`, retry policies. */
export function startTimers(
  functions: readonly HostedFunction[],
  dispatcher: Dispatcher,
  options: TimerHostOptions,
): RunningTimers {
  const runners: TimerRunner[] = [];
  const prepared = functions.map((fn) => {
    const schedule = fn.triggerBinding['schedule'];
    if (typeof schedule !== 'string') throw new Error(`Timer function ${fn.name} has no schedule`);
    const parsed = parseSchedule(options.resolve(schedule), {
      ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
    });
    return { fn, parsed, runOnStartup: fn.triggerBinding['runOnStartup'] === true };
  });
  for (const { fn, parsed, runOnStartup } of prepared) {
    const runner = new TimerRunner(fn, dispatcher, parsed);
    runners.push(runner);
    runner.start(runOnStartup);
  }
  return {
    stop() {
      for (const runner of runners) runner.stop();
    },
  };
}
