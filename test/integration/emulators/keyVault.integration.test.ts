import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SecretClient } from '@azure/keyvault-secrets';

import { startKeyVaultEmulator } from '../../../infra/local/keyVault';
import { ensureLocalCertificates } from '../../../infra/local/tls/certificates';
import { LocalTokenCredential } from '../../../shared/azure/localCredential';
import { localCaPolicies } from '../../../shared/azure/localTls';
import { SettingNames } from '../../../shared/config/settingNames';
import { testSetting } from '../../support/stack';

function secretClient(vaultUrl: string, caPem: string): SecretClient {
  return new SecretClient(vaultUrl, new LocalTokenCredential(), {
    additionalPolicies: localCaPolicies(caPem),
    disableChallengeResourceVerification: true,
  });
}

function rawGet(url: string, ca: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers });
      });
    })
      .on('error', reject)
      .end();
  });
}

// The project-level testTimeout does not reach tests run through jest projects.
jest.setTimeout(30_000);
describe('Key Vault emulator through SecretClient', () => {
  const ca = (): string => readFileSync(testSetting(SettingNames.localCaCertPath), 'utf8');
  const vaultUrl = (): string => testSetting(SettingNames.keyVaultUri);
  const name = (base: string): string => `${base}-${randomUUID().slice(0, 8)}`;

  it('sets, gets (latest and by version) and lists versions of a secret', async () => {
    const client = secretClient(vaultUrl(), ca());
    const secretName = name('hubspot-token');
    const v1 = await client.setSecret(secretName, 'first', {
      contentType: 'text/plain',
      tags: { tenant: 't1' },
    });
    const v2 = await client.setSecret(secretName, 'second');

    expect((await client.getSecret(secretName)).value).toBe('second');
    const old = await client.getSecret(secretName, { version: v1.properties.version! });
    expect(old.value).toBe('first');
    expect(old.properties.contentType).toBe('text/plain');
    expect(old.properties.tags).toEqual({ tenant: 't1' });

    const versions: string[] = [];
    for await (const p of client.listPropertiesOfSecretVersions(secretName)) versions.push(p.version!);
    expect(versions.sort()).toEqual([v1.properties.version, v2.properties.version].sort());
  });

  it('lists secrets across pages (nextLink)', async () => {
    const client = secretClient(vaultUrl(), ca());
    const prefix = name('paged');
    for (let i = 0; i < 7; i++) await client.setSecret(`${prefix}-${i}`, 'x');
    const pages: number[] = [];
    const names: string[] = [];
    for await (const page of client.listPropertiesOfSecrets().byPage({ maxPageSize: 3 })) {
      pages.push(page.length);
      names.push(...page.map((p) => p.name).filter((n) => n.startsWith(prefix)));
    }
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.every((n) => n <= 3)).toBe(true);
    expect(names.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `${prefix}-${i}`));
  });

  it('soft-deletes: the secret is gone, visible as deleted, then recoverable or purgeable', async () => {
    const client = secretClient(vaultUrl(), ca());
    const secretName = name('to-delete');
    await client.setSecret(secretName, 'value');
    const deleted = await (await client.beginDeleteSecret(secretName)).pollUntilDone();
    expect(deleted.recoveryId).toContain(`/deletedsecrets/${secretName}`);
    await expect(client.getSecret(secretName)).rejects.toMatchObject({
      statusCode: 404,
      code: 'SecretNotFound',
    });
    expect((await client.getDeletedSecret(secretName)).name).toBe(secretName);
    // The name stays reserved while the secret is recoverable, as in Azure.
    await expect(client.setSecret(secretName, 'again')).rejects.toMatchObject({ statusCode: 409 });

    await (await client.beginRecoverDeletedSecret(secretName)).pollUntilDone();
    expect((await client.getSecret(secretName)).value).toBe('value');

    await (await client.beginDeleteSecret(secretName)).pollUntilDone();
    await client.purgeDeletedSecret(secretName);
    await expect(client.getDeletedSecret(secretName)).rejects.toMatchObject({ statusCode: 404 });
    await expect(client.setSecret(secretName, 'reusable')).resolves.toMatchObject({ value: 'reusable' });
  });

  it('refuses a disabled secret (403) and serves it again once enabled', async () => {
    const client = secretClient(vaultUrl(), ca());
    const secretName = name('disabled');
    const { properties } = await client.setSecret(secretName, 'v');
    await client.updateSecretProperties(secretName, properties.version!, { enabled: false });
    await expect(client.getSecret(secretName)).rejects.toMatchObject({ statusCode: 403 });
    await client.updateSecretProperties(secretName, properties.version!, { enabled: true });
    expect((await client.getSecret(secretName)).value).toBe('v');
  });

  it('answers a request without a token with the Key Vault 401 challenge', async () => {
    const res = await rawGet(`${vaultUrl()}/secrets/anything?api-version=7.5`, ca());
    expect(res.status).toBe(401);
    expect(String(res.headers['www-authenticate'])).toMatch(
      /^Bearer authorization="https:\/\/login\.microsoftonline\.com\/[^"]+", resource="https:\/\/vault\.azure\.net"/,
    );
  });

  it('serves TLS that only clients trusting the local CA accept', async () => {
    const untrusting = new SecretClient(vaultUrl(), new LocalTokenCredential(), {
      disableChallengeResourceVerification: true,
      retryOptions: { maxRetries: 0 },
    });
    await expect(untrusting.getSecret('anything')).rejects.toThrow(/certificate/i);
  });

  it('keeps secrets and certificates across a restart when persisting', async () => {
    const persistDir = await mkdtemp(join(tmpdir(), 'kv-persist-'));
    try {
      const certs = await ensureLocalCertificates(join(persistDir, 'tls'));
      const first = await startKeyVaultEmulator({ certificates: certs, persistDir });
      await secretClient(first.vaultUrl, certs.caCertPem).setSecret('tenant-dev-api-key', 'kept');
      await first.stop();

      const reusedCerts = await ensureLocalCertificates(join(persistDir, 'tls'));
      expect(reusedCerts.caCertPem).toBe(certs.caCertPem);
      const second = await startKeyVaultEmulator({ certificates: reusedCerts, persistDir });
      expect(
        (await secretClient(second.vaultUrl, certs.caCertPem).getSecret('tenant-dev-api-key')).value,
      ).toBe('kept');
      await second.stop();
    } finally {
      await rm(persistDir, { recursive: true, force: true });
    }
  });
});
