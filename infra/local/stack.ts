import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { DATABASE_NAME } from '../../shared/config/containers';
import { QUEUES } from '../../shared/config/queues';
import { SettingNames } from '../../shared/config/settingNames';
import { startTelemetryCollector } from './appInsights';
import { startAzurite } from './azurite';
import { startCosmosEmulator } from './cosmos';
import { writeFileAtomic } from './emulatorSupport';
import { startEventGridEmulator } from './eventGrid';
import { startKeyVaultEmulator } from './keyVault';
import { startServiceBusEmulator } from './serviceBus';
import type { RunningService, Stack, StackOptions } from './stackTypes';
import { ensureLocalCertificates } from './tls/certificates';

export type { RunningService, Stack, StackOptions } from './stackTypes';

/** Thrown when part of the stack fails to start; everything that did start has been stopped. */
export class StackStartError extends Error {
  override readonly name = 'StackStartError';
  constructor(readonly failures: readonly { readonly service: string; readonly error: unknown }[]) {
    super(
      `Local stack failed to start: ${failures
        .map((f) => `${f.service}: ${f.error instanceof Error ? f.error.message : String(f.error)}`)
        .join('; ')}`,
    );
  }
}

/**
 * Starts the embedded Azure stack on free loopback ports: Azurite, Cosmos, Service Bus, Key Vault,
 * Event Grid (which needs Service Bus) and, on request, the telemetry collector. Independent parts
 * start in parallel. With `persistDir`, state and certificates survive restarts; without it
 * everything is in memory and temporary files are removed on stop.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const persistDir = options.persistDir;
  const scratchDir = persistDir === undefined ? await mkdtemp(join(tmpdir(), 'sync-stack-')) : undefined;
  // If the process exits without stop(), still remove the temporary certificates.
  const removeScratch = (): void => {
    if (scratchDir !== undefined) rmSync(scratchDir, { recursive: true, force: true });
  };
  if (scratchDir !== undefined) process.once('exit', removeScratch);
  const started: RunningService[] = [];
  const failures: { service: string; error: unknown }[] = [];
  const track = async <T extends RunningService>(
    service: string,
    start: () => Promise<T>,
  ): Promise<T | undefined> => {
    try {
      const running = await start();
      started.push(running);
      return running;
    } catch (error) {
      failures.push({ service, error });
      return undefined;
    }
  };
  const persist = persistDir === undefined ? {} : { persistDir };

  const certificatesPromise = ensureLocalCertificates(join(persistDir ?? scratchDir ?? tmpdir(), 'tls'));
  const [azurite, cosmos, serviceBus, keyVault, collector] = await Promise.all([
    track('azurite', async () => startAzurite(persist)),
    track('cosmos', async () => startCosmosEmulator(persist)),
    track('servicebus', async () => {
      const sb = await startServiceBusEmulator({
        queues: QUEUES,
        ...(persistDir === undefined ? {} : { persistDir: join(persistDir, 'servicebus') }),
      });
      return {
        name: 'servicebus',
        url: `sb://127.0.0.1:${sb.port}`,
        connectionString: sb.connectionString,
        stop: async () => sb.stop(),
      };
    }),
    track('keyvault', async () =>
      startKeyVaultEmulator({ certificates: await certificatesPromise, ...persist }),
    ),
    options.withTelemetryCollector === true
      ? track('telemetry-collector', async () =>
          startTelemetryCollector({ certificates: await certificatesPromise }),
        )
      : Promise.resolve(undefined),
  ]);
  const eventGrid =
    serviceBus === undefined
      ? undefined
      : await track('eventgrid', async () =>
          startEventGridEmulator({
            key: randomBytes(32).toString('base64'),
            serviceBusConnectionString: serviceBus.connectionString,
          }),
        );
  const certificates = await certificatesPromise.catch((error: unknown) => {
    failures.push({ service: 'tls', error });
    return undefined;
  });

  const stop = async (): Promise<void> => {
    const errors: unknown[] = [];
    // Event Grid first so it can hand its last events to Service Bus; the rest are independent.
    const ordered = [...started].reverse();
    const first = ordered.filter((s) => s.name === 'eventgrid');
    const rest = ordered.filter((s) => s.name !== 'eventgrid');
    for (const group of [first, rest]) {
      const results = await Promise.allSettled(group.map(async (s) => s.stop()));
      for (const r of results) if (r.status === 'rejected') errors.push(r.reason);
    }
    if (scratchDir !== undefined) {
      process.off('exit', removeScratch);
      await rm(scratchDir, { recursive: true, force: true });
    }
    if (errors.length > 0) throw new AggregateError(errors, 'Some local emulators did not stop cleanly');
  };

  if (
    failures.length > 0 ||
    azurite === undefined ||
    cosmos === undefined ||
    serviceBus === undefined ||
    keyVault === undefined ||
    eventGrid === undefined ||
    certificates === undefined
  ) {
    await stop().catch(() => undefined);
    throw new StackStartError(failures);
  }

  const settings: Record<string, string> = {
    [SettingNames.storage]: azurite.connectionString,
    [SettingNames.serviceBus]: serviceBus.connectionString,
    [SettingNames.cosmos]: cosmos.connectionString,
    [SettingNames.cosmosDatabase]: DATABASE_NAME,
    [SettingNames.eventGridEndpoint]: eventGrid.endpoint,
    [SettingNames.eventGridKey]: eventGrid.key,
    [SettingNames.keyVaultUri]: keyVault.vaultUrl,
    [SettingNames.localCaCertPath]: certificates.caCertPath,
    [SettingNames.localEmulators]: 'true',
  };
  if (collector !== undefined) settings[SettingNames.appInsights] = collector.connectionString;

  let stopping: Promise<void> | undefined;
  return {
    settings,
    services: [...started],
    stop: async () => {
      stopping ??= stop();
      return stopping;
    },
  };
}

/**
 * Writes the stack's settings (and where each emulator listens) as JSON, e.g. `.local/stack.json`
 * for `npm run emulators`. It holds local keys, so the file is readable by the owner only.
 */
export async function writeStackFile(stack: Stack, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const content = {
    pid: process.pid,
    writtenAt: new Date().toISOString(),
    settings: stack.settings,
    services: stack.services.map((s) => ({ name: s.name, url: s.url })),
  };
  await writeFileAtomic(path, `${JSON.stringify(content, null, 2)}\n`, 0o600);
}
