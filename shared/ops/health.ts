import type { HealthCheck } from '../ports/healthCheck';

export interface DependencyHealth {
  readonly name: string;
  readonly status: 'ok' | 'error';
  readonly latencyMs: number;
  readonly error?: string;
}

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly checkedAt: string;
  readonly dependencies: readonly DependencyHealth[];
}

export interface RunHealthChecksOptions {
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/**
 * Runs every check in parallel with one deadline, so a hung dependency shows up as an error with
 * its latency instead of hanging the health endpoint. Error text is the message only: no stack,
 * no connection string.
 */
export async function runHealthChecks(
  checks: readonly HealthCheck[],
  options: RunHealthChecksOptions = {},
): Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const now = options.now ?? (() => performance.now());
  const dependencies = await Promise.all(
    checks.map(async (c): Promise<DependencyHealth> => {
      const started = now();
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new Error(`timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        await Promise.race([c.check({ abortSignal: controller.signal }), deadline]);
        return { name: c.name, status: 'ok', latencyMs: Math.round(now() - started) };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return {
          name: c.name,
          status: 'error',
          latencyMs: Math.round(now() - started),
          error: message.slice(0, 300),
        };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return {
    status: dependencies.every((d) => d.status === 'ok') ? 'ok' : 'degraded',
    checkedAt: new Date().toISOString(),
    dependencies,
  };
}
