import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Container, CosmosClient, type Database } from '@azure/cosmos';

import { startCosmosEmulator } from '../../../infra/local/cosmos';
import { SettingNames } from '../../../shared/config/settingNames';
import { testSetting } from '../../support/stack';

interface RecordDoc {
  id: string;
  tenantId: string;
  resourceType: string;
  recordId: string;
  name?: string;
}

// The project-level testTimeout does not reach tests run through jest projects.
jest.setTimeout(30_000);
describe('Cosmos DB emulator through @azure/cosmos', () => {
  let client: CosmosClient;
  let database: Database;
  let container: Container;

  beforeAll(async () => {
    client = new CosmosClient(testSetting(SettingNames.cosmos));
    ({ database } = await client.databases.createIfNotExists({ id: `it-${randomUUID()}` }));
    ({ container } = await database.containers.createIfNotExists({
      id: 'records',
      partitionKey: { paths: ['/tenantId'] },
      uniqueKeyPolicy: { uniqueKeys: [{ paths: ['/resourceType', '/recordId'] }] },
    }));
  });

  afterAll(async () => {
    await database.delete();
    client.dispose();
  });

  const doc = (tenantId: string, resourceType: string, recordId: string): RecordDoc => ({
    id: randomUUID(),
    tenantId,
    resourceType,
    recordId,
  });

  it('creates, reads, replaces and deletes an item', async () => {
    const item = { ...doc('t1', 'contact', 'c-1'), name: 'Ada' };
    const created = await container.items.create(item);
    expect(created.statusCode).toBe(201);

    const { resource: read } = await container.item(item.id, 't1').read<RecordDoc>();
    expect(read?.name).toBe('Ada');

    const { resource: replaced } = await container
      .item(item.id, 't1')
      .replace<RecordDoc>({ ...item, name: 'Grace' });
    expect(replaced?.name).toBe('Grace');

    await container.item(item.id, 't1').delete();
    const afterDelete = await container.item(item.id, 't1').read();
    expect(afterDelete.statusCode).toBe(404);
  });

  it('rejects a replace with a stale ETag (If-Match → 412)', async () => {
    const item = doc('t1', 'contact', 'c-2');
    const { etag: first } = await container.items.create(item);
    await container.item(item.id, 't1').replace({ ...item, name: 'newer' });

    await expect(
      container
        .item(item.id, 't1')
        .replace({ ...item, name: 'stale' }, { accessCondition: { type: 'IfMatch', condition: first } }),
    ).rejects.toMatchObject({ code: 412 });
    const { resource } = await container.item(item.id, 't1').read<RecordDoc>();
    expect(resource?.name).toBe('newer');
  });

  it('enforces a composite unique key per partition (409) and nothing more', async () => {
    await container.items.create(doc('t2', 'contact', 'dup'));
    // Same resourceType with another recordId, and the same pair in another tenant, are both fine.
    await expect(container.items.create(doc('t2', 'contact', 'other'))).resolves.toMatchObject({
      statusCode: 201,
    });
    await expect(container.items.create(doc('t3', 'contact', 'dup'))).resolves.toMatchObject({
      statusCode: 201,
    });

    await expect(container.items.create(doc('t2', 'contact', 'dup'))).rejects.toMatchObject({ code: 409 });
    await expect(container.items.upsert(doc('t2', 'contact', 'dup'))).rejects.toMatchObject({ code: 409 });
  });

  it('pages a query with continuation tokens (maxItemCount)', async () => {
    for (let i = 0; i < 25; i++)
      await container.items.create(doc('paging', 'order', `o-${String(i).padStart(2, '0')}`));
    const query = {
      query: 'SELECT * FROM c WHERE c.tenantId = @t ORDER BY c.recordId',
      parameters: [{ name: '@t', value: 'paging' }],
    };

    const first = await container.items
      .query<RecordDoc>(query, { maxItemCount: 10, partitionKey: 'paging' })
      .fetchNext();
    expect(first.resources).toHaveLength(10);
    expect(first.continuationToken).toBeDefined();

    // A new iterator resumed from the token continues where the first page stopped.
    const seen = first.resources.map((r) => r.recordId);
    let token = first.continuationToken;
    while (token) {
      const page = await container.items
        .query<RecordDoc>(query, { maxItemCount: 10, partitionKey: 'paging', continuationToken: token })
        .fetchNext();
      seen.push(...page.resources.map((r) => r.recordId));
      token = page.continuationToken;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `o-${String(i).padStart(2, '0')}`));
  });

  it('keeps data, ETags and unique keys across a restart when persisting', async () => {
    const persistDir = await mkdtemp(join(tmpdir(), 'cosmos-persist-'));
    try {
      const first = await startCosmosEmulator({ persistDir });
      const c1 = new CosmosClient(first.connectionString);
      const { database: db } = await c1.databases.createIfNotExists({ id: 'sync' });
      const { container: keys } = await db.containers.createIfNotExists({
        id: 'api_keys',
        partitionKey: { paths: ['/tenantId'] },
        uniqueKeyPolicy: { uniqueKeys: [{ paths: ['/name'] }] },
      });
      const { etag } = await keys.items.create({ id: 'k1', tenantId: 'dev', name: 'dev-key' });
      await first.stop();
      c1.dispose();

      const second = await startCosmosEmulator({ persistDir });
      const c2 = new CosmosClient(second.connectionString);
      const reopened = c2.database('sync').container('api_keys');
      const { resource } = await reopened.item('k1', 'dev').read<{ name: string; _etag: string }>();
      expect(resource?.name).toBe('dev-key');
      expect(resource?._etag).toBe(etag);
      await expect(
        reopened.items.create({ id: 'k2', tenantId: 'dev', name: 'dev-key' }),
      ).rejects.toMatchObject({ code: 409 });
      await second.stop();
      c2.dispose();
    } finally {
      await rm(persistDir, { recursive: true, force: true });
    }
  });
});
