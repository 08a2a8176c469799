/**
 * The WordPress adapter against a real WordPress 6.1 (Debian package, started by the peers
 * global setup, site zone Asia/Kolkata): full and incremental fetches of posts and of the
 * `contacts` custom post type with meta, and a trashed post coming back as a deletion.
 *
 * The sync use case drives adapters the same way; its peer test (inbound sync into Cosmos)
 * belongs next to this one and can reuse `wordpressPeer`, `WordPressPeerClient` and
 * `peerAdapter` below.
 */
import type { RecordPage } from '../../../adapters/base/adapter';
import type { HttpClient } from '../../../adapters/base/httpClient';
import type { WordPressAdapter } from '../../../adapters/wordpress';
import { createWordPressAdapter } from '../../../adapters/wordpress';
import { adapterContext, simulatorHttpClient } from '../../simulators/adapterContext';
import type { PeerPost, WordPressPeer } from './peer';
import { peerAdapter, wordpressPeer, WordPressPeerClient } from './peer';

async function collect(pages: AsyncIterable<RecordPage>): Promise<RecordPage[]> {
  const out: RecordPage[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

describe('WordPress adapter against a real WordPress', () => {
  let http: HttpClient;
  let peer: WordPressPeer;
  let client: WordPressPeerClient;
  let adapter: WordPressAdapter;

  beforeAll(() => {
    http = simulatorHttpClient({ timeoutMs: 15_000 });
    peer = wordpressPeer();
    client = new WordPressPeerClient(peer);
    adapter = peerAdapter(http, peer);
  });
  afterAll(async () => {
    await http.close();
  });

  it('proves the application password, and refuses the login password', async () => {
    expect((await adapter.testConnection()).ok).toBe(true);
    const login = createWordPressAdapter(
      adapterContext(
        http,
        { type: 'BASIC', username: peer.username, password: 'admin-Pass-123' },
        { baseUrl: peer.baseUrl },
      ),
    );
    const refused = await login.testConnection();
    expect(refused.ok ? 'ok' : refused.error.status).toBe(401);
  });

  it.each([
    ['posts', 'posts'],
    ['contacts', 'contacts'],
  ])(
    '%s: a full fetch then an incremental fetch see every post once, then only the changes',
    async (type, restBase) => {
      await client.clear(restBase);
      const created: PeerPost[] = [];
      for (let i = 1; i <= 7; i++) {
        created.push(
          await client.create(restBase, {
            title: `${type} ${i}`,
            status: i === 3 ? 'draft' : 'publish',
            meta:
              type === 'contacts'
                ? { email: `c${i}@example.test`, external_id: `ext-${i}` }
                : { external_id: `p-${i}` },
          }),
        );
      }
      const full = await collect(adapter.fetchRecords(type));
      const fullIds = full.flatMap((p) => p.records.map((r) => r.id));
      expect([...fullIds].sort()).toEqual(created.map((p) => String(p.id)).sort());
      expect(full.length).toBeGreaterThan(1);
      const draft = full.flatMap((p) => p.records).find((r) => r.id === String(created[2]?.id));
      expect(draft?.data['status']).toBe('draft');
      if (type === 'contacts') {
        expect((draft?.data['meta'] as Record<string, unknown>)['email']).toBe('c3@example.test');
      }
      // updatedAt is modified_gmt as UTC, not the site-local `modified` 5:30 ahead.
      const r0 = full[0]?.records[0];
      expect(r0?.updatedAt).toBe(`${String(r0?.data['modified_gmt'])}.000Z`);
      expect(r0?.data['modified']).not.toBe(r0?.data['modified_gmt']);

      await WordPressPeerClient.nextSecond();
      const since = new Date(Math.floor(Date.now() / 1000) * 1000);
      await WordPressPeerClient.nextSecond();
      const edited = created[1];
      const trashed = created[4];
      if (edited === undefined || trashed === undefined) throw new Error('seeding failed');
      await client.update(restBase, edited.id, { meta: { external_id: 'edited' } });
      await client.trash(restBase, trashed.id);

      const inc = (await collect(adapter.fetchRecords(type, { since }))).flatMap((p) => p.records);
      expect(inc.map((r) => [r.id, r.deleted]).sort()).toEqual(
        [
          [String(edited.id), false],
          [String(trashed.id), true],
        ].sort(),
      );
      const meta = inc.find((r) => r.id === String(edited.id))?.data['meta'] as Record<string, unknown>;
      expect(meta['external_id']).toBe('edited');
    },
  );

  it('a post trashed through the adapter is a deletion to the next incremental fetch; force removes it', async () => {
    const post = await adapter.createRecord('posts', { title: 'to be binned', status: 'publish' });
    await WordPressPeerClient.nextSecond();
    const since = new Date(Math.floor(Date.now() / 1000) * 1000);
    await WordPressPeerClient.nextSecond();
    await adapter.deleteRecord('posts', post.id);
    const inc = (await collect(adapter.fetchRecords('posts', { since }))).flatMap((p) => p.records);
    expect(inc.map((r) => [r.id, r.deleted])).toEqual([[post.id, true]]);
    await adapter.deleteRecord('posts', post.id, { force: true });
    await expect(adapter.fetchRecord('posts', post.id)).resolves.toBeUndefined();
  });

  it('updates meta without losing the keys it does not mention', async () => {
    const c = await adapter.createRecord('contacts', {
      title: 'Grace',
      status: 'publish',
      meta: { email: 'grace@example.test', phone: '+1 555 0100' },
    });
    await adapter.updateRecord('contacts', c.id, { meta: { phone: '+1 555 0199' } });
    const stored = await client.get('contacts', Number(c.id));
    expect(stored.meta).toMatchObject({ email: 'grace@example.test', phone: '+1 555 0199' });
  });
});
