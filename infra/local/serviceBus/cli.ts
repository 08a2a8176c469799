import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import type { QueueDefinition } from '../../../shared/config/queues';
import { startServiceBusEmulator } from './index';

/**
 * Runs the emulator on its own: `node dist/infra/local/serviceBus/cli.js [--port N] [--host H]
 * [--queues file.json] [--persist-dir DIR]`. Prints one JSON line `{connectionString, port}` once
 * listening, and stops on SIGINT/SIGTERM or when stdin closes (so a parent's exit stops it too).
 */

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      queues: { type: 'string' },
      'persist-dir': { type: 'string' },
    },
  });
  const queues =
    values.queues === undefined
      ? undefined
      : (JSON.parse(readFileSync(values.queues, 'utf8')) as QueueDefinition[]);
  const emulator = await startServiceBusEmulator({
    ...(values.port === undefined ? {} : { port: Number(values.port) }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(queues === undefined ? {} : { queues }),
    ...(values['persist-dir'] === undefined ? {} : { persistDir: values['persist-dir'] }),
  });
  process.stdout.write(
    `${JSON.stringify({ connectionString: emulator.connectionString, port: emulator.port })}\n`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
