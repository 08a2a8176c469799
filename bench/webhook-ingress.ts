import { ServiceBusClient } from '@azure/service-bus';

import { signWebhook } from '../adapters/base/webhooks';
import { createTenant } from '../shared/admin/tenants';
import { getComposition, resetComposition } from '../shared/composition';
import { QueueNames } from '../shared/config/queues';
import { SettingNames } from '../shared/config/settingNames';
import { startChild } from './lib/children';
import type { PreparedRequest } from './lib/load';
import { fixedRate, maxThroughput, percentile } from './lib/load';

/**
 * The webhook receiver under load, through the whole local path: HTTP → WebhookReceiver (verify,
 * dedup in Cosmos, raw body to Blob, publish to Event Grid) → Event Grid → sync-inbound-webhook.
 *  1. a fixed offered load (default 1,000 signed req/s for 30 s, open loop): p50/p99 latency,
 *     then every queue message is read back to count accepted deliveries that did not become
 *     exactly one message (lost / duplicated);
 *  2. the receiver's maximum sustained rate (closed loop, 64 in flight, 10 s);
 *  3. a bare node:http server on the same machine, same client, for scale.
 * The stack, the app and the bare server each run in their own process; the load generator here.
 * Usage: npm run bench -- webhook-ingress [seconds] [rps]
 */

const SECRET = 'bench-webhook-secret-0123456789abcdef';
const BASE_URL = 'https://hooks.bench.test/api';

interface HostReady {
  readonly baseUrl: string;
}

async function call(
  baseUrl: string,
  key: string,
  path: string,
  json: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify(json),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

function prepare(path: string, runTag: string, count: number, offset = 0): PreparedRequest[] {
  const url = `${BASE_URL}${path.replace(/^\/api/, '')}`;
  return Array.from({ length: count }, (_, k) => {
    const i = offset + k;
    const body = Buffer.from(
      JSON.stringify({ events: [{ id: String(i % 5000), action: 'updated', seq: i }] }),
    );
    const headers = signWebhook('github', SECRET, { body, url, now: Date.now(), id: `${runTag}-${i}` });
    return { path, headers: { ...headers, 'content-type': 'application/json' }, body };
  });
}

/** Reads and removes every message until the queue stays empty; returns message id → count. */
async function drain(connection: string, quietMs: number, expected: number): Promise<Map<string, number>> {
  const client = new ServiceBusClient(connection);
  const receiver = client.createReceiver(QueueNames.inboundWebhook, { receiveMode: 'receiveAndDelete' });
  const seen = new Map<string, number>();
  let total = 0;
  let lastMessage = Date.now();
  try {
    while (
      Date.now() - lastMessage < quietMs ||
      (total < expected && Date.now() - lastMessage < 4 * quietMs)
    ) {
      const batch = await receiver.receiveMessages(1000, { maxWaitTimeInMs: 500 });
      if (batch.length > 0) lastMessage = Date.now();
      for (const m of batch) {
        const id = String(m.messageId);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        total++;
      }
    }
  } finally {
    await receiver.close();
    await client.close();
  }
  return seen;
}

export async function main(): Promise<void> {
  const seconds = Number(process.argv[3] ?? 30);
  const rate = Number(process.argv[4] ?? 1000);
  const stack = await startChild<{ settings: Record<string, string> }>('stackChild');
  const settings: Record<string, string> = {
    ...stack.ready.settings,
    [SettingNames.webhookBaseUrl]: BASE_URL,
    [SettingNames.functionsWorkerRuntime]: 'node',
    [SettingNames.logLevel]: 'warn',
  };
  const children: { stop(): Promise<void> }[] = [stack];
  try {
    const host = await startChild<HostReady>('hostChild', { BENCH_HOST_SETTINGS: JSON.stringify(settings) });
    children.unshift(host);
    const admin = (await getComposition(settings)).admin;
    const { apiKey } = await createTenant(admin, { name: 'webhook bench' });
    await resetComposition();
    const connection = await call(host.ready.baseUrl, apiKey.apiKey, '/admin/connections', {
      name: 'bench',
      provider: 'rest',
      baseUrl: 'http://127.0.0.1:9',
      auth: { type: 'BEARER', token: 'unused-token' },
    });
    const integration = await call(host.ready.baseUrl, apiKey.apiKey, '/admin/integrations', {
      name: 'bench',
      provider: 'rest',
      connectionId: connection['id'],
      direction: 'inbound',
      resourceTypes: [{ name: 'items' }],
      webhook: { scheme: 'github', secret: SECRET },
    });
    const path = `/api/webhooks/rest/${String(integration['id'])}`;
    const hostUrl = host.ready.baseUrl.replace(/\/api$/, '');

    console.log(`warming up (2,000 requests at 500/s)…`);
    await fixedRate(hostUrl, prepare(path, 'warm', 2000), 500);
    await drain(settings[SettingNames.serviceBus] ?? '', 2000, 2000);

    const total = seconds * rate;
    console.log(`offered load: ${rate} req/s for ${seconds} s (${total} signed deliveries)…`);
    const requests = prepare(path, 'fixed', total);
    const samples = await fixedRate(hostUrl, requests, rate);
    const latencies = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
    const accepted = new Set<string>();
    let refused = 0;
    for (const s of samples) {
      if (s.status === 202) accepted.add((JSON.parse(s.body) as { eventId: string }).eventId);
      else refused++;
    }
    console.log(`reading the queue back…`);
    const messages = await drain(settings[SettingNames.serviceBus] ?? '', 3000, accepted.size);
    let lost = 0;
    let duplicated = 0;
    for (const id of accepted) {
      const n = messages.get(id) ?? 0;
      if (n === 0) lost++;
      else if (n > 1) duplicated++;
    }
    const stray = [...messages.keys()].filter((id) => !accepted.has(id)).length;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(
      `fixed load: ${accepted.size} accepted, ${refused} not accepted; p50 ${p50.toFixed(1)} ms, p90 ${percentile(latencies, 90).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${(latencies.at(-1) ?? 0).toFixed(1)} ms; queue: ${lost} lost, ${duplicated} duplicated, ${stray} stray`,
    );

    console.log(`receiver maximum (64 in flight, 10 s)…`);
    let seq = 0;
    const receiverMax = await maxThroughput(
      hostUrl,
      () => prepare(path, 'max', 1, seq++)[0] as PreparedRequest,
      64,
      10_000,
    );
    console.log(`receiver: ${receiverMax.rps.toFixed(0)} req/s (${receiverMax.failed} failed)`);

    const bare = await startChild<HostReady>('bareChild');
    children.unshift(bare);
    const bareMax = await maxThroughput(
      bare.ready.baseUrl,
      () => prepare(path, 'bare', 1, seq++)[0] as PreparedRequest,
      64,
      10_000,
    );
    console.log(`bare node:http: ${bareMax.rps.toFixed(0)} req/s`);

    console.log(
      JSON.stringify({
        bench: 'webhook-ingress',
        offered_rps: rate,
        p50_ms: Number(p50.toFixed(2)),
        p99_ms: Number(p99.toFixed(2)),
        lost,
        duplicated,
        receiver_max_rps: Math.round(receiverMax.rps),
        bare_rps: Math.round(bareMax.rps),
      }),
    );
  } finally {
    await resetComposition();
    for (const c of children) await c.stop();
  }
}
