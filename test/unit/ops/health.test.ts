import { runHealthChecks } from '../../../shared/ops/health';
import type { HealthCheck } from '../../../shared/ports/healthCheck';

const ok = (name: string): HealthCheck => ({ name, check: () => Promise.resolve() });

describe('runHealthChecks', () => {
  it('is ok only when every dependency answers', async () => {
    const report = await runHealthChecks([ok('cosmos'), ok('serviceBus')]);
    expect(report.status).toBe('ok');
    expect(report.dependencies.map((d) => d.status)).toEqual(['ok', 'ok']);
  });

  it('reports a failing dependency with its message and marks the whole report degraded', async () => {
    const report = await runHealthChecks([
      ok('cosmos'),
      { name: 'keyVault', check: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:1')) },
    ]);
    expect(report.status).toBe('degraded');
    expect(report.dependencies[1]).toMatchObject({
      name: 'keyVault',
      status: 'error',
      error: 'ECONNREFUSED 127.0.0.1:1',
    });
  });

  it('turns a hung dependency into a timeout error and aborts it instead of hanging', async () => {
    let aborted = false;
    const hung: HealthCheck = {
      name: 'eventGrid',
      check: ({ abortSignal } = {}) =>
        new Promise<void>(() => {
          abortSignal?.addEventListener('abort', () => {
            aborted = true;
          });
        }),
    };
    const report = await runHealthChecks([hung, ok('storage')], { timeoutMs: 50 });
    expect(report.dependencies[0]).toMatchObject({ status: 'error', error: 'timed out after 50 ms' });
    expect(report.dependencies[1]?.status).toBe('ok');
    expect(aborted).toBe(true);
  });
});
