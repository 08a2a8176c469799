import '../support/localHost';

import { getComposition } from '../../shared/composition';
import { QueueNames } from '../../shared/config/queues';
import type { BlobRef } from '../../shared/ports/blobStore';
import type { SyncApp } from './syncHarness';
import {
  createRestIntegration,
  documents,
  queueDepth,
  startSyncApp,
  syncAndWait,
  waitFor,
  waitRun,
  WEBHOOK_SECRET,
} from './syncHarness';

let app: SyncApp;

beforeAll(async () => {
  app = await startSyncApp();
});

afterAll(async () => {
  await app.stop();
});

const people = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `Person ${i + 1}`, email: `Person${i + 1}@Example.COM` }));

describe('inbound sync through the whole app', () => {
  it('a full sync puts every provider record in Cosmos with its link and the run counts them', async () => {
    app.sim.defineCollection('contacts');
    app.sim.seed('contacts', people(23));
    const integrationId = await createRestIntegration(app, 'full-sync', 'contacts', 5);

    const run = await syncAndWait(app, integrationId, { mode: 'full' });
    expect(run).toMatchObject({
      status: 'SUCCESS',
      counts: { processed: 23, created: 23, updated: 0, failed: 0, pages: 5 },
    });

    const records = await documents(app, 'records', "c.resourceType = 'contacts'");
    expect(records).toHaveLength(23);
    const links = await documents(app, 'links', `c.integrationId = '${integrationId}'`);
    expect(links).toHaveLength(23);
    const byExternal = new Map(links.map((l) => [l['externalId'], l]));
    for (const r of records) {
      const link = byExternal.get(r['origin'].externalId);
      expect(link?.['internalId']).toBe(r['recordId']);
    }
    const first = records.find((r) => r['origin'].externalId === '1');
    expect(first?.['data']).toMatchObject({ fullName: 'Person 1', email: 'person1@example.com' });

    // The records API shows the same, each record with its link.
    const page = await app.call('GET', '/records/contacts?limit=10');
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(10);
    expect(page.body.items[0].links).toEqual([
      expect.objectContaining({ integrationId, externalId: expect.any(String) }),
    ]);
    const rest = await app.call(
      'GET',
      `/records/contacts?limit=50&continuationToken=${encodeURIComponent(page.body.continuationToken as string)}`,
    );
    expect(rest.body.items).toHaveLength(13);

    const logs = await app.call('GET', `/admin/integrations/${integrationId}/logs`);
    expect(logs.body.items).toEqual([
      expect.objectContaining({ operation: 'BULK_SYNC', status: 'SUCCESS', recordsProcessed: 23 }),
    ]);
  });

  it('an unchanged full re-sync performs zero record and link writes; a dry run reports without writing', async () => {
    app.sim.defineCollection('companies');
    app.sim.seed('companies', people(12));
    const integrationId = await createRestIntegration(app, 'unchanged', 'companies', 5);
    await syncAndWait(app, integrationId, { mode: 'full' });
    const etags = async (): Promise<Map<string, string>> => {
      const docs = [
        ...(await documents(app, 'records', "c.resourceType = 'companies'")),
        ...(await documents(app, 'links', `c.integrationId = '${integrationId}'`)),
      ];
      return new Map(docs.map((d) => [d['id'] as string, d['_etag'] as string]));
    };
    const before = await etags();
    expect(before.size).toBe(24);

    const again = await syncAndWait(app, integrationId, { mode: 'full' });
    expect(again).toMatchObject({
      status: 'SUCCESS',
      counts: { processed: 12, created: 0, updated: 0, unchanged: 12 },
    });
    expect(await etags()).toEqual(before);

    app.sim.patch('companies', 3, { name: 'Changed Name' });
    app.sim.put('companies', { name: 'New One', email: 'new@example.com' }, { id: 99 });
    const dry = await syncAndWait(app, integrationId, { mode: 'full', dryRun: true });
    expect(dry.dryRunReport).toEqual({ wouldCreate: ['99'], wouldUpdate: ['3'], wouldDelete: [] });
    expect(await etags()).toEqual(before);
  });

  it('an incremental run asks the provider only for recent changes and writes only what changed', async () => {
    app.sim.defineCollection('orders');
    const hour = 60 * 60_000;
    app.sim.seed('orders', people(5), { updatedAt: Date.now() - 3 * hour });
    app.sim.seed('orders', people(3), { updatedAt: Date.now() - hour });
    const integrationId = await createRestIntegration(app, 'incremental', 'orders', 5);
    await syncAndWait(app, integrationId, { mode: 'full' });
    app.sim.patch('orders', 2, { name: 'Updated Later' });
    app.sim.clearRequests();

    // Since the watermark (an hour ago) minus the overlap: the 3 recent records come back
    // unchanged at no cost, the changed one is written, the 4 older ones are not asked for.
    const run = await syncAndWait(app, integrationId, { mode: 'incremental' });
    expect(run).toMatchObject({
      status: 'SUCCESS',
      counts: { processed: 4, updated: 1, unchanged: 3, created: 0 },
    });
    const listed = app.sim.requests.filter((r) => r.path === '/page/orders');
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((r) => r.query['updated_since'] !== undefined)).toBe(true);
    const [record] = await documents(
      app,
      'records',
      "c.resourceType = 'orders' AND c.origin.externalId = '2'",
    );
    expect(record).toMatchObject({ version: 2, data: { fullName: 'Updated Later' } });
  });

  it('a run killed after page 2 and delivered again resumes at page 3: no gap, no duplicate', async () => {
    app.sim.defineCollection('leads');
    app.sim.seed('leads', people(30));
    const integrationId = await createRestIntegration(app, 'killed', 'leads', 5);
    app.sim.killAfterPage(2, { path: '/page/leads' });

    const started = await app.call('POST', `/admin/integrations/${integrationId}/sync`, { mode: 'full' });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    // The checkpoint holds page 2, and the broker has redelivered the failed run at least once.
    await waitFor('checkpoint after page 2', async () => {
      const [lease] = await documents(app, 'leases', `c.integrationId = '${integrationId}'`);
      return lease?.['checkpoint']?.counts?.pages === 2 ? lease : undefined;
    });
    await waitFor('a redelivery', async () => {
      const run = await app.call('GET', `/admin/integrations/${integrationId}/runs/${runId}`);
      return (run.body.attempts as number) >= 2 ? run : undefined;
    });
    app.sim.revive();

    const run = await waitRun(app, integrationId, runId);
    // Six full pages, then the empty seventh that tells a page-numbered list has ended.
    expect(run).toMatchObject({ status: 'SUCCESS', counts: { processed: 30, created: 30, pages: 7 } });
    const served = app.sim.requests
      .filter((r) => r.path === '/page/leads' && r.status === 200)
      .map((r) => r.query['page']);
    expect(served).toEqual(['1', '2', '3', '4', '5', '6', '7']);

    const records = await documents(app, 'records', "c.resourceType = 'leads'");
    expect(records).toHaveLength(30);
    expect(new Set(records.map((r) => r['origin'].externalId as string)).size).toBe(30);
    expect(records.every((r) => r['version'] === 1)).toBe(true);
    expect(await documents(app, 'links', `c.integrationId = '${integrationId}'`)).toHaveLength(30);
  });

  it('the same webhook delivered five times is accepted five times and written once', async () => {
    app.sim.defineCollection('accounts');
    app.sim.seed('accounts', people(3));
    const integrationId = await createRestIntegration(app, 'webhooks', 'accounts', 5);
    await syncAndWait(app, integrationId, { mode: 'full' });
    const versionOf = async (externalId: string): Promise<number | undefined> => {
      const [r] = await documents(
        app,
        'records',
        `c.resourceType = 'accounts' AND c.origin.externalId = '${externalId}'`,
      );
      return r?.['version'] as number | undefined;
    };
    expect(await versionOf('2')).toBe(1);

    app.sim.patch('accounts', 2, { name: 'Renamed By Webhook' });
    const url = `${app.host.baseUrl}/webhooks/rest/${integrationId}`;
    const body = { events: [{ id: 2, action: 'updated' }] };
    const answers = [];
    for (let i = 0; i < 5; i++) {
      answers.push(
        await app.sim.sendWebhook({ url, scheme: 'github', secret: WEBHOOK_SECRET, body, id: 'delivery-42' }),
      );
    }
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(answers.map((a) => (JSON.parse(a.body) as { eventId: string }).eventId)).size).toBe(1);

    await waitFor('the webhook write', async () => ((await versionOf('2')) === 2 ? true : undefined));
    await waitFor('an empty webhook queue', async () =>
      (await queueDepth(QueueNames.inboundWebhook)) === 0 ? true : undefined,
    );
    // Later deliveries of the same change under new ids are absorbed by change detection.
    for (let i = 0; i < 3; i++) {
      const again = await app.sim.sendWebhook({
        url,
        scheme: 'github',
        secret: WEBHOOK_SECRET,
        body,
        id: `delivery-${100 + i}`,
      });
      expect(again.status).toBe(202);
    }
    await waitFor('three more applied events', async () => {
      const logs = await documents(
        app,
        'sync_logs',
        `c.integrationId = '${integrationId}' AND c.operation = 'WEBHOOK_RECEIVED'`,
      );
      return logs.length === 4 ? logs : undefined;
    });
    const [record] = await documents(
      app,
      'records',
      "c.resourceType = 'accounts' AND c.origin.externalId = '2'",
    );
    expect(record).toMatchObject({ version: 2, data: { fullName: 'Renamed By Webhook' } });
    const deliveries = await documents(app, 'webhook_events', `c.integrationId = '${integrationId}'`);
    expect(deliveries).toHaveLength(4);
    // The raw bytes are kept for replay, exactly as the provider sent them.
    const first = deliveries.find((d) => d['deliveryId'] === 'delivery-42');
    const stored = await (await getComposition()).sync.blobs.getBlob(first?.['bodyRef'] as BlobRef);
    expect(stored.equals(answers[0]!.sent.body)).toBe(true);
  });

  it('the receiver answers 401 bare, 400, 404, 403 and 413 and accepts nothing it refused', async () => {
    app.sim.defineCollection('tickets');
    const integrationId = await createRestIntegration(app, 'refusals', 'tickets', 5);
    const url = `${app.host.baseUrl}/webhooks/rest/${integrationId}`;
    const body = { events: [{ id: 1 }] };

    const forged = await app.sim.sendWebhook({
      url,
      scheme: 'github',
      secret: 'not-the-secret-at-all-000',
      body,
    });
    expect(forged.status).toBe(401);
    expect(forged.body).toBe('');
    const tampered = await app.sim.sendWebhook({
      url,
      scheme: 'github',
      secret: WEBHOOK_SECRET,
      body,
      tamper: (h) => ({ ...h, 'x-hub-signature-256': 'sha256=zz' }),
    });
    expect(tampered.status).toBe(400);
    const unknown = await app.sim.sendWebhook({
      url: `${url}x`,
      scheme: 'github',
      secret: WEBHOOK_SECRET,
      body,
    });
    expect(unknown.status).toBe(404);
    const wrongProvider = await app.sim.sendWebhook({
      url: url.replace('/rest/', '/github/'),
      scheme: 'github',
      secret: WEBHOOK_SECRET,
      body,
    });
    expect(wrongProvider.status).toBe(404);
    const huge = await app.sim.sendWebhook({
      url,
      scheme: 'github',
      secret: WEBHOOK_SECRET,
      body: { pad: 'x'.repeat(1024 * 1024 + 1) },
    });
    expect(huge.status).toBe(413);
    expect(await documents(app, 'webhook_events', `c.integrationId = '${integrationId}'`)).toHaveLength(0);

    expect((await app.call('POST', `/admin/integrations/${integrationId}/pause`)).status).toBe(200);
    // The receiver caches integrations for a few seconds; a pause takes effect within that.
    await waitFor(
      'the pause to reach the receiver',
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const paused = await app.sim.sendWebhook({ url, scheme: 'github', secret: WEBHOOK_SECRET, body });
        return paused.status === 403 ? paused : undefined;
      },
      20_000,
    );
  });
});
