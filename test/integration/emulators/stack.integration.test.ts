import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CosmosClient } from '@azure/cosmos';
import { SecretClient } from '@azure/keyvault-secrets';
import { BlobServiceClient } from '@azure/storage-blob';

import { startStack, writeStackFile } from '../../../infra/local/stack';
import { LocalTokenCredential } from '../../../shared/azure/localCredential';
import { localCaPolicies } from '../../../shared/azure/localTls';
import { SettingNames } from '../../../shared/config/settingNames';

jest.setTimeout(60_000);

/** Processes whose command line mentions `text` (Azurite's carries its --location). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

describe('startStack with a persist directory (npm start)', () => {
  let persistDir: string;

  beforeEach(async () => {
    persistDir = await mkdtemp(join(tmpdir(), 'stack-persist-'));
  });
  afterEach(async () => {
    await rm(persistDir, { recursive: true, force: true });
  });

  it('serves the same data and CA after a restart, and stops without leaving processes', async () => {
    const first = await startStack({ persistDir });
    const settings = first.settings;
    expect(Object.keys(settings).sort()).toEqual(
      [
        SettingNames.storage,
        SettingNames.serviceBus,
        SettingNames.cosmos,
        SettingNames.cosmosDatabase,
        SettingNames.eventGridEndpoint,
        SettingNames.eventGridKey,
        SettingNames.keyVaultUri,
        SettingNames.localCaCertPath,
        SettingNames.localEmulators,
      ].sort(),
    );
    const ca = readFileSync(settings[SettingNames.localCaCertPath]!, 'utf8');
    const apiKey = randomUUID();

    const cosmos = new CosmosClient(settings[SettingNames.cosmos]!);
    const { database } = await cosmos.databases.createIfNotExists({
      id: settings[SettingNames.cosmosDatabase]!,
    });
    const { container } = await database.containers.createIfNotExists({
      id: 'api_keys',
      partitionKey: { paths: ['/id'] },
    });
    await container.items.create({ id: apiKey, tenantId: 'dev' });
    cosmos.dispose();
    const vault = (uri: string): SecretClient =>
      new SecretClient(uri, new LocalTokenCredential(), {
        additionalPolicies: localCaPolicies(ca),
        disableChallengeResourceVerification: true,
      });
    await vault(settings[SettingNames.keyVaultUri]!).setSecret('dev-tenant-key', apiKey);
    const blobs = BlobServiceClient.fromConnectionString(settings[SettingNames.storage]!).getContainerClient(
      'claims',
    );
    await blobs.createIfNotExists();
    await blobs.getBlockBlobClient('a.json').upload('{"a":1}', 7);

    const stackFile = join(persistDir, 'stack.json');
    await writeStackFile(first, stackFile);
    expect(JSON.parse(await readFile(stackFile, 'utf8'))).toMatchObject({ settings });
    expect((await stat(stackFile)).mode & 0o777).toBe(0o600);

    const stopping = Date.now();
    await first.stop();
    expect(Date.now() - stopping).toBeLessThan(5000);
    expect(processesMentioning(persistDir)).toEqual([]);

    const second = await startStack({ persistDir });
    try {
      expect(second.settings[SettingNames.localCaCertPath]).toBe(settings[SettingNames.localCaCertPath]);
      const cosmos2 = new CosmosClient(second.settings[SettingNames.cosmos]!);
      const { resource } = await cosmos2
        .database(second.settings[SettingNames.cosmosDatabase]!)
        .container('api_keys')
        .item(apiKey, apiKey)
        .read<{ tenantId: string }>();
      cosmos2.dispose();
      expect(resource?.tenantId).toBe('dev');
      expect(
        (await vault(second.settings[SettingNames.keyVaultUri]!).getSecret('dev-tenant-key')).value,
      ).toBe(apiKey);
      const blob = BlobServiceClient.fromConnectionString(second.settings[SettingNames.storage]!)
        .getContainerClient('claims')
        .getBlockBlobClient('a.json');
      expect((await blob.downloadToBuffer()).toString()).toBe('{"a":1}');
    } finally {
      await second.stop();
    }
    expect(processesMentioning(persistDir)).toEqual([]);
  });

  it('names the part that failed to start and stops the parts that did', async () => {
    await mkdir(join(persistDir, 'cosmos'), { recursive: true });
    await writeFile(join(persistDir, 'cosmos', 'snapshot.json'), '{ not json');

    await expect(startStack({ persistDir })).rejects.toThrow(/Local stack failed to start: cosmos: /);
    expect(processesMentioning(persistDir)).toEqual([]);
  });
});
