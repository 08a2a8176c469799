import '../support/localHost';

import type { SyncApp } from './syncHarness';
import { createRestIntegration, documents, startSyncApp, waitFor, waitRun } from './syncHarness';

let app: SyncApp;

beforeAll(async () => {
  app = await startSyncApp();
});

afterAll(async () => {
  await app.stop();
});

/** Fires the SyncScheduler timer once, the way Core Tools' admin endpoint does. */
async function fireScheduler(): Promise<void> {
  const root = app.host.baseUrl.replace(/\/api$/, '');
  const response = await fetch(`${root}/admin/functions/SyncScheduler`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(response.status).toBe(202);
}

describe('SyncScheduler through the whole app', () => {
  it('a due integration gets one scheduled run even when the timer fires twice, and its next slot moves on', async () => {
    app.sim.defineCollection('deals');
    app.sim.seed('deals', [
      { name: 'A', email: 'a@example.com' },
      { name: 'B', email: 'b@example.com' },
    ]);
    const integrationId = await createRestIntegration(app, 'scheduled', 'deals', 10);
    const patched = await app.call('PATCH', `/admin/integrations/${integrationId}`, {
      schedule: { cron: '0 0 9 * * *', timeZone: 'Europe/Berlin' },
    });
    expect(patched.status).toBe(200);
    // Make it due now, as if 09:00 Berlin had just passed.
    const [doc] = await documents(app, 'integrations', `c.id = '${integrationId}'`);
    const container = await app.container('integrations');
    await container
      .item(integrationId, app.tenantId)
      .replace({ ...doc, nextSyncAt: new Date(Date.now() - 60_000).toISOString() });

    await Promise.all([fireScheduler(), fireScheduler()]);
    const run = await waitFor('a scheduled run', async () => {
      const runs = await app.call('GET', `/admin/integrations/${integrationId}/runs`);
      const done = (runs.body.items as { id: string; trigger: string; status: string }[]).filter(
        (r) => r.trigger === 'schedule',
      );
      return done.length > 0 ? done : undefined;
    });
    expect(run).toHaveLength(1);
    const finished = await waitRun(app, integrationId, run[0]!.id);
    expect(finished).toMatchObject({ status: 'SUCCESS', mode: 'incremental', counts: { created: 2 } });

    const [after] = await documents(app, 'integrations', `c.id = '${integrationId}'`);
    const next = new Date(after?.['nextSyncAt'] as string);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    // 09:00 in Berlin is 07:00 or 08:00 UTC depending on the season.
    expect([7, 8]).toContain(next.getUTCHours());
    expect(next.getUTCMinutes()).toBe(0);

    // Not due any more: firing again starts nothing.
    await fireScheduler();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const runs = await app.call('GET', `/admin/integrations/${integrationId}/runs`);
    expect(runs.body.items).toHaveLength(1);
  });
});
