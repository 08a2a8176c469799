import { join } from 'node:path';

import { startLocalHost } from '../../infra/local/host';

/**
 * Child process: the app (dist/functions/index.js) on the local Functions host, HTTP only unless
 * BENCH_HOST_SERVICE_BUS=1. Settings come from the parent in BENCH_HOST_SETTINGS (JSON).
 */
async function main(): Promise<void> {
  const settings = JSON.parse(process.env['BENCH_HOST_SETTINGS'] ?? '{}') as Record<string, string>;
  const root = join(__dirname, '..', '..');
  const host = await startLocalHost({
    appEntry: join(root, 'functions', 'index.js'),
    hostJsonPath: join(root, '..', 'host.json'),
    settings,
    port: 0,
    logFormat: 'json',
    enableTimers: false,
    enableServiceBus: process.env['BENCH_HOST_SERVICE_BUS'] === '1',
  });
  const stop = async (): Promise<void> => {
    await host.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', (m) => {
    if (m === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  process.send?.({ ready: true, baseUrl: host.baseUrl });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
