import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { app } from '@azure/functions';

import { getComposition } from '../shared/composition';
import { runHealthChecks } from '../shared/ops/health';

/** GET /api/health: every dependency with ok/error and latency; 503 when any is down. */
export async function health(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const composition = await getComposition();
    const report = await runHealthChecks(composition.healthChecks);
    return {
      status: report.status === 'ok' ? 200 : 503,
      jsonBody: report,
      headers: { 'cache-control': 'no-store' },
    };
  } catch (err) {
    // A cold start that cannot reach a dependency is still a health answer, not a 500.
    const message = err instanceof Error ? err.message : String(err);
    context.warn('health: composition failed', message);
    return {
      status: 503,
      jsonBody: {
        status: 'degraded',
        checkedAt: new Date().toISOString(),
        dependencies: [],
        error: message.slice(0, 300),
      },
      headers: { 'cache-control': 'no-store' },
    };
  }
}

app.http('Health', { methods: ['GET'], route: 'health', authLevel: 'anonymous', handler: health });
