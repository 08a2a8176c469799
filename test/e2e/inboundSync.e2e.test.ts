import '../support/localHost';

import type { SyncApp } from './syncHarness';
import { createRestIntegration, documents, startSyncApp, syncAndWait } from './syncHarness';

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
});
