import '../support/localHost';

import { join } from 'node:path';

import { resetComposition } from '../../shared/composition';
import { SettingNames } from '../../shared/config/settingNames';
import { type LocalHost, startLocalHost } from '../support/localHost';
import { testSettings } from '../support/stack';

let host: LocalHost;

beforeAll(async () => {
  host = await startLocalHost({
    appEntry: join(__dirname, '../../functions/index.ts'),
    settings: { ...testSettings(), [SettingNames.webhookBaseUrl]: 'http://127.0.0.1:7071/api' },
    port: 0,
    hostJsonPath: join(__dirname, '../../host.json'),
    enableTimers: false,
    enableServiceBus: false,
    logFormat: 'json',
  });
});

afterAll(async () => {
  await host.stop();
  await resetComposition();
});

describe('GET /api/health', () => {
  it('answers 200 with every dependency ok and its latency', async () => {
    const res = await fetch(`${host.baseUrl}/health`);
    const body = (await res.json()) as {
      status: string;
      dependencies: { name: string; status: string; latencyMs: number }[];
    };
    expect(res.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.dependencies.map((d) => d.name).sort()).toEqual([
      'cosmos',
      'eventGrid',
      'keyVault',
      'serviceBus',
      'storage',
    ]);
    for (const d of body.dependencies) {
      expect(d.status).toBe('ok');
      expect(d.latencyMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('echoes a safe caller correlation id and replaces an unsafe one', async () => {
    const echoed = await fetch(`${host.baseUrl}/health`, {
      headers: { 'x-correlation-id': 'order-42.retry:1' },
    });
    expect(echoed.headers.get('x-correlation-id')).toBe('order-42.retry:1');
    const replaced = await fetch(`${host.baseUrl}/health`, {
      headers: { 'x-correlation-id': 'bad id\twith spaces' },
    });
    const id = replaced.headers.get('x-correlation-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
