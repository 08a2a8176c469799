import { startStack } from '../../infra/local/stack';

/**
 * Child process: the embedded stack on its own, as it runs beside the Functions host. Sends its
 * settings to the parent over IPC and stops when the parent says so (or goes away).
 */
async function main(): Promise<void> {
  const stack = await startStack({});
  const stop = async (): Promise<void> => {
    await stack.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', (m) => {
    if (m === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  process.send?.({ ready: true, settings: stack.settings });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
