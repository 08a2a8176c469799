import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { gzipSync } from 'node:zlib';

import { SettingNames } from '../../../shared/config/settingNames';
import { telemetryCollectorUrl, testSetting } from '../../support/stack';

interface Envelope {
  name: string;
  data?: { baseType?: string; baseData?: Record<string, unknown> };
}

function https(
  method: string,
  url: string,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const ca = readFileSync(testSetting(SettingNames.localCaCertPath), 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitForEnvelopes(
  predicate: (all: Envelope[]) => boolean,
  timeoutMs: number,
): Promise<Envelope[]> {
  const deadline = Date.now() + timeoutMs;
  let all: Envelope[] = [];
  while (Date.now() < deadline) {
    all = JSON.parse((await https('GET', `${telemetryCollectorUrl()}/_test/envelopes`)).text) as Envelope[];
    if (predicate(all)) return all;
    await new Promise((r) => setTimeout(r, 200));
  }
  return all;
}

/**
 * The applicationinsights SDK cannot take a pipeline policy, so it runs in a child process that
 * trusts the local CA through NODE_EXTRA_CA_CERTS, exactly as `npm start` would set it up.
 */
const CHILD = `
const appInsights = require('applicationinsights');
appInsights.setup(process.env.APPLICATIONINSIGHTS_CONNECTION_STRING)
  .setAutoCollectConsole(false, false).setAutoCollectRequests(true).setAutoCollectDependencies(true)
  .setSendLiveMetrics(false).start();
const http = require('http');
const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', async () => {
  const url = 'http://127.0.0.1:' + server.address().port + '/probe/' + process.env.PROBE;
  appInsights.defaultClient.trackEvent({ name: 'StackProbe-' + process.env.PROBE });
  await new Promise((resolve) => http.get(url, (res) => { res.resume(); res.on('end', resolve); }));
  await new Promise((resolve) => setTimeout(resolve, 200));
  await appInsights.defaultClient.flush();
  await appInsights.shutdownAzureMonitor();
  appInsights.dispose();
  server.close();
});
`;

describe('Application Insights collector', () => {
  it('receives a custom event, a request and a dependency from the applicationinsights SDK', async () => {
    const probe = randomUUID();
    const child = spawn(process.execPath, ['-e', CHILD], {
      cwd: process.cwd(),
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        PROBE: probe,
        APPLICATIONINSIGHTS_CONNECTION_STRING: testSetting(SettingNames.appInsights),
        NODE_EXTRA_CA_CERTS: testSetting(SettingNames.localCaCertPath),
        // Keep every span (the default rate limit samples requests away) and make no calls to Azure.
        APPLICATIONINSIGHTS_CONFIGURATION_CONTENT: JSON.stringify({ samplingRatio: 1, tracesPerSecond: 0 }),
        APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
        APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
      },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Never leave the child behind, even if the SDK hangs on shutdown.
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(killer);
    expect({ code, stderr: stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) as string });

    const mine = (all: Envelope[]): Envelope[] =>
      all.filter((e) => JSON.stringify(e.data?.baseData ?? {}).includes(probe));
    const kinds = (all: Envelope[]): string[] =>
      [...new Set(mine(all).map((e) => e.data?.baseType ?? ''))].sort();
    const all = await waitForEnvelopes((a) => kinds(a).length >= 3, 20_000);
    expect(kinds(all)).toEqual(['EventData', 'RemoteDependencyData', 'RequestData']);
  }, 60_000);

  it('accepts a gzip-compressed batch as the exporter sends to Azure', async () => {
    const name = `GzipProbe-${randomUUID()}`;
    const envelope = {
      name: 'Microsoft.ApplicationInsights.Event',
      time: new Date().toISOString(),
      data: { baseType: 'EventData', baseData: { name } },
    };
    const res = await https(
      'POST',
      `${telemetryCollectorUrl()}/v2.1/track`,
      gzipSync(JSON.stringify([envelope])),
      {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ itemsReceived: 1, itemsAccepted: 1 });
    const all = await waitForEnvelopes((a) => a.some((e) => e.data?.baseData?.['name'] === name), 5000);
    expect(all.some((e) => e.data?.baseData?.['name'] === name)).toBe(true);
  }, 15_000);
});
