import { join } from 'node:path';

import type { Container } from '@azure/cosmos';
import { ServiceBusClient } from '@azure/service-bus';

import { createTenant } from '../../shared/admin/tenants';
import { getComposition, resetComposition } from '../../shared/composition';
import type { ContainerName } from '../../shared/config/containers';
import { SettingNames } from '../../shared/config/settingNames';
import type { RestProvider } from '../simulators/restProvider';
import { startRestProvider } from '../simulators/restProvider';
import type { LocalHost } from '../support/localHost';
import { startLocalHost } from '../support/localHost';
import { testSetting, testSettings } from '../support/stack';

/**
 * The whole app (functions/index.ts on the local host, Service Bus triggers on) over the test
 * stack's emulators, with the provider simulator as the external system. Tests talk to it the
 * way a user does: the admin API, webhooks, and Cosmos itself to check what was written.
 */

export const TOKEN = 'sim-token-0123456789';
export const WEBHOOK_SECRET = 'whsec-e2e-webhook-secret-0123456789';
export const WEBHOOK_BASE_URL = 'https://hooks.example.test/api';

/** JSON read back from the API or Cosmos: tests read it loosely and assert on the fields they name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LooseJson = any;

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: LooseJson;
}

export interface SyncApp {
  readonly host: LocalHost;
  readonly sim: RestProvider;
  readonly tenantId: string;
  call(method: string, path: string, json?: unknown): Promise<ApiResponse>;
  container(name: ContainerName): Promise<Container>;
  stop(): Promise<void>;
}

export async function startSyncApp(): Promise<SyncApp> {
  const sim = await startRestProvider({ auth: { type: 'bearer', token: TOKEN } });
  const host = await startLocalHost({
    appEntry: join(__dirname, '../../functions/index.ts'),
    hostJsonPath: join(__dirname, '../../host.json'),
    settings: {
      ...testSettings(),
      [SettingNames.outboundAllowlist]: '127.0.0.1,localhost',
      [SettingNames.webhookBaseUrl]: WEBHOOK_BASE_URL,
    },
    port: 0,
    logFormat: 'json',
    enableTimers: false,
  });
  const admin = (await getComposition()).admin;
  const created = await createTenant(admin, { name: `e2e ${Date.now()}` });
  const key = created.apiKey.apiKey;
  const call = async (method: string, path: string, json?: unknown): Promise<ApiResponse> => {
    const response = await fetch(`${host.baseUrl}${path}`, {
      method,
      headers: { 'x-api-key': key, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: response.status, headers: response.headers, body };
  };
  return {
    host,
    sim,
    tenantId: created.tenant.id,
    call,
    container: async (name) => (await getComposition()).container(name),
    stop: async () => {
      await host.stop();
      await resetComposition();
      await sim.close();
    },
  };
}

/** A `rest` integration over one simulator collection, paged `pageSize` at a time. */
export async function createRestIntegration(
  app: SyncApp,
  name: string,
  collection: string,
  pageSize: number,
): Promise<string> {
  const connection = await app.call('POST', '/admin/connections', {
    name: `${name}-connection`,
    provider: 'rest',
    baseUrl: app.sim.url,
    auth: { type: 'BEARER', token: TOKEN },
  });
  if (connection.status !== 201)
    throw new Error(`connection: ${connection.status} ${JSON.stringify(connection.body)}`);
  const integration = await app.call('POST', '/admin/integrations', {
    name,
    provider: 'rest',
    connectionId: connection.body.id,
    direction: 'inbound',
    resourceTypes: [
      {
        name: collection,
        mapping: {
          resourceType: collection,
          inbound: [
            { from: 'name', to: 'fullName' },
            { from: 'email', to: 'email', transform: 'lowercase' },
            { from: 'updated_at', to: 'sourceUpdatedAt' },
          ],
          hash: { ignore: ['sourceUpdatedAt'] },
        },
      },
    ],
    providerConfig: {
      descriptor: {
        pagination: { style: 'page', pageParam: 'page', pageSizeParam: 'per_page' },
        pageSize,
        resources: {
          [collection]: {
            listPath: `/page/${collection}`,
            recordsPath: 'data',
            updatedAt: { field: 'updated_at' },
            incremental: { param: 'updated_since', lookbackSeconds: 1 },
            get: { path: `/page/${collection}/{id}` },
          },
        },
        webhook: {
          scheme: 'github',
          eventsPath: 'events',
          resourceType: collection,
          idField: 'id',
          actionField: 'action',
          deleteActions: ['deleted'],
        },
      },
    },
    webhook: { scheme: 'github', secret: WEBHOOK_SECRET },
  });
  if (integration.status !== 201)
    throw new Error(`integration: ${integration.status} ${JSON.stringify(integration.body)}`);
  return integration.body.id as string;
}

export async function waitFor<T>(
  what: string,
  read: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const TERMINAL = ['SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'SKIPPED'];

/** Starts a sync through the admin API and waits for its run to finish; returns the run. */
export async function syncAndWait(
  app: SyncApp,
  integrationId: string,
  request: Record<string, unknown>,
): Promise<LooseJson> {
  const started = await app.call('POST', `/admin/integrations/${integrationId}/sync`, request);
  if (started.status !== 202) throw new Error(`sync: ${started.status} ${JSON.stringify(started.body)}`);
  const runId = started.body.runId as string;
  return waitRun(app, integrationId, runId);
}

export async function waitRun(
  app: SyncApp,
  integrationId: string,
  runId: string,
  timeoutMs = 90_000,
): Promise<LooseJson> {
  return waitFor(
    `run ${runId}`,
    async () => {
      const run = await app.call('GET', `/admin/integrations/${integrationId}/runs/${runId}`);
      const body = run.body as Record<string, unknown>;
      return run.status === 200 && TERMINAL.includes(body['status'] as string) ? body : undefined;
    },
    timeoutMs,
  );
}

/** Every document of a container in this tenant's partition, with its ETag. */
export async function documents(
  app: SyncApp,
  name: ContainerName,
  where = 'true',
): Promise<Record<string, LooseJson>[]> {
  const container = await app.container(name);
  const { resources } = await container.items
    .query({ query: `SELECT * FROM c WHERE ${where}` }, { partitionKey: app.tenantId })
    .fetchAll();
  return resources as Record<string, unknown>[];
}

/** Messages waiting in a queue (peek, nothing is received). */
export async function queueDepth(queue: string): Promise<number> {
  const client = new ServiceBusClient(testSetting(SettingNames.serviceBus));
  const receiver = client.createReceiver(queue);
  try {
    return (await receiver.peekMessages(100)).length;
  } finally {
    await receiver.close();
    await client.close();
  }
}
