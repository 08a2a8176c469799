import '../../support/localHost';

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';

import { SecretClient } from '@azure/keyvault-secrets';

import { LocalTokenCredential } from '../../../shared/azure/localCredential';
import { localCaPipelinePolicy } from '../../../shared/azure/localTls';
import { getComposition } from '../../../shared/composition';
import { CONTAINERS } from '../../../shared/config/containers';
import { SettingNames } from '../../../shared/config/settingNames';
import { telemetryCollectorUrl, testSetting } from '../../support/stack';
import { startFakeProvider } from './fixtures';
import type { AdminApi, ApiResponse, CallOptions } from './harness';
import { startAdminApi } from './harness';

jest.setTimeout(90_000);

/** Values nobody could write by accident: if one shows up anywhere, it leaked. */
const secret = (label: string): string => `S3CR3T-${label}-${randomUUID()}`;
const SECRETS = {
  apiKeyHeader: secret('apikey-header'),
  apiKeyQuery: secret('apikey-query'),
  basicPassword: secret('basic-password'),
  bearer: secret('bearer'),
  oauthClientSecret: secret('oauth-client-secret'),
  oauthAccess: secret('oauth-access'),
  oauthRefresh: secret('oauth-refresh'),
  rotatedBearer: secret('rotated-bearer'),
  rejectedInvalidBody: secret('invalid-body'),
};
const VALUES = Object.values(SECRETS);

let api: AdminApi;
let output = '';
const responses: ApiResponse[] = [];

function capture(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream);
  jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  });
}

async function call(method: string, path: string, options: CallOptions): Promise<ApiResponse> {
  const res = await api.call(method, path, options);
  responses.push(res);
  return res;
}

function collectorEnvelopes(): Promise<string> {
  const url = new URL('/_test/envelopes', telemetryCollectorUrl());
  const ca = readFileSync(testSetting(SettingNames.localCaCertPath), 'utf8');
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'GET', ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function leaksIn(text: string): string[] {
  return VALUES.filter((v) => text.includes(v));
}

beforeAll(async () => {
  capture(process.stdout);
  capture(process.stderr);
  api = await startAdminApi({ [SettingNames.logLevel]: 'debug' });
});
afterAll(async () => {
  await api.stop();
  jest.restoreAllMocks();
});

it('keeps every secret value of every auth type out of Cosmos, logs, telemetry and responses', async () => {
  const provider = await startFakeProvider(SECRETS.bearer);
  try {
    const t = await api.tenant('Secrets');
    const key = t.adminKey;
    const connections = [
      {
        name: 'api-key-header',
        provider: 'rest',
        baseUrl: provider.url,
        params: { testPath: '/me' },
        auth: { type: 'API_KEY', apiKey: SECRETS.apiKeyHeader, placement: { in: 'header', name: 'X-Token' } },
      },
      {
        name: 'api-key-query',
        provider: 'rest',
        baseUrl: provider.url,
        params: { testPath: '/me' },
        auth: { type: 'API_KEY', apiKey: SECRETS.apiKeyQuery, placement: { in: 'query', name: 'api_key' } },
      },
      {
        name: 'basic',
        provider: 'wordpress',
        params: { site: '127.0.0.1:1' },
        auth: { type: 'BASIC', username: 'editor', password: SECRETS.basicPassword },
      },
      {
        name: 'bearer',
        provider: 'rest',
        baseUrl: provider.url,
        params: { testPath: '/me' },
        auth: { type: 'BEARER', token: SECRETS.bearer },
      },
      {
        name: 'oauth2',
        provider: 'hubspot',
        auth: {
          type: 'OAUTH2',
          clientId: 'client-id-public',
          clientSecret: SECRETS.oauthClientSecret,
          tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
          scopes: ['crm.objects.contacts.read'],
          accessToken: SECRETS.oauthAccess,
          refreshToken: SECRETS.oauthRefresh,
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      },
    ];
    const ids: Record<string, string> = {};
    for (const c of connections) {
      const res = await call('POST', '/admin/connections', { key, json: c });
      expect([c.name, res.status]).toEqual([c.name, 201]);
      ids[c.name] = res.body.id as string;
    }
    expect(
      Object.keys(
        (await call('GET', `/admin/connections/${ids['oauth2']!}`, { key })).body.secrets as object,
      ).sort(),
    ).toEqual(['accessToken', 'clientSecret', 'refreshToken']);

    // Exercise every path that handles credentials: tests (which send them), rotation, listing, errors.
    for (const name of ['api-key-header', 'api-key-query', 'basic', 'bearer']) {
      const integration = await call('POST', '/admin/integrations', {
        key,
        json: {
          name: `uses-${name}`,
          provider: name === 'basic' ? 'wordpress' : 'rest',
          connectionId: ids[name],
          direction: 'inbound',
          resourceTypes: [{ name: 'posts' }],
        },
      });
      expect(integration.status).toBe(201);
      expect(
        (await call('POST', `/admin/integrations/${integration.body.id as string}/test`, { key })).status,
      ).toBe(200);
    }
    const rotated = await call('POST', `/admin/connections/${ids['bearer']!}/rotate`, {
      key,
      json: { auth: { type: 'BEARER', token: SECRETS.rotatedBearer }, verify: false },
    });
    expect(rotated.status).toBe(200);
    await call('GET', '/admin/connections?limit=200', { key });
    const invalid = await call('POST', '/admin/connections', {
      key,
      json: {
        name: 'broken',
        provider: 'rest',
        auth: { type: 'BEARER', token: SECRETS.rejectedInvalidBody, extra: true },
      },
    });
    expect(invalid.status).toBe(400);

    // The values are really stored: in the vault, under the names the documents give.
    const kv = new SecretClient(testSetting(SettingNames.keyVaultUri), new LocalTokenCredential(), {
      disableChallengeResourceVerification: true,
      additionalPolicies: [
        {
          policy: localCaPipelinePolicy(readFileSync(testSetting(SettingNames.localCaCertPath), 'utf8')),
          position: 'perCall',
        },
      ],
    });
    const oauthDoc = (await call('GET', `/admin/connections/${ids['oauth2']!}`, { key })).body as {
      secrets: Record<string, { version: string }>;
    };
    const stored = await kv.getSecret(`${ids['oauth2']!.replace(/_/g, '-')}-refreshtoken`, {
      version: oauthDoc.secrets['refreshToken']!.version,
    });
    expect(stored.value).toBe(SECRETS.oauthRefresh);

    // Every document in every container.
    const composition = await getComposition();
    let documents = 0;
    for (const c of CONTAINERS) {
      const { resources } = await composition
        .container(c.name as Parameters<typeof composition.container>[0])
        .items.readAll()
        .fetchAll();
      documents += resources.length;
      expect([c.name, leaksIn(JSON.stringify(resources))]).toEqual([c.name, []]);
    }
    expect(documents).toBeGreaterThan(10);

    // Every response, every log line, every telemetry envelope.
    expect(responses.length).toBeGreaterThan(15);
    for (const res of responses) {
      expect(leaksIn(`${JSON.stringify([...res.headers.entries()])}\n${res.text}`)).toEqual([]);
    }
    expect(output).toContain('"msg":"invocation"');
    expect(leaksIn(output)).toEqual([]);
    await composition.telemetry.flush();
    expect(leaksIn(await collectorEnvelopes())).toEqual([]);
    // The provider did receive the credentials it is meant to receive.
    expect(provider.calls).toBeGreaterThanOrEqual(3);
  } finally {
    await provider.close();
  }
});
