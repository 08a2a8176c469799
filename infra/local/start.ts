import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { ConfigError, EnvSchema, loadConfig } from '../../shared/config/env';
import { SettingNames } from '../../shared/config/settingNames';
import { bootstrapDevTenant } from './devTenant';
import { type LocalHost, startLocalHost } from './host';
import { startStack, writeStackFile } from './stack';
import type { Stack } from './stackTypes';

/**
 * `npm start`: the embedded Azure stack plus the local Functions host, in one process tree.
 *   --emulators-only   start the stack alone (npm run emulators) and write .local/stack.json
 *   --no-emulators     run the host against the settings in local.settings.json (e.g. real Azure)
 */

const ROOT = path.resolve(__dirname, '..', '..', '..');
const LOCAL_DIR = path.join(ROOT, '.local');
const STOP_DEADLINE_MS = 4000;

function localSettingsFile(): Record<string, string> {
  const file = path.join(ROOT, 'local.settings.json');
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, string> };
  return Object.fromEntries(Object.entries(parsed.Values ?? {}).filter(([, v]) => v !== ''));
}

/** Settings that only the process environment may override (never connection strings: ports are dynamic). */
const ENV_OVERRIDABLE = [
  SettingNames.logLevel,
  SettingNames.appInsights,
  SettingNames.outboundAllowlist,
] as const;

export function appSettingsFor(stack: Stack, port: number, env: NodeJS.ProcessEnv): Record<string, string> {
  const settings: Record<string, string> = {
    ...stack.settings,
    [SettingNames.functionsWorkerRuntime]: 'node',
    [SettingNames.webhookBaseUrl]: `http://127.0.0.1:${port}/api`,
    // Local providers (simulators, the WordPress peer) live on loopback, which the SSRF guard refuses otherwise.
    [SettingNames.outboundAllowlist]: '127.0.0.1,localhost,::1',
  };
  for (const name of ENV_OVERRIDABLE) {
    const value = env[name];
    if (value !== undefined && value !== '') settings[name] = value;
  }
  return settings;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'emulators-only': { type: 'boolean', default: false },
      'no-emulators': { type: 'boolean', default: false },
      port: { type: 'string', default: process.env['PORT'] ?? '7071' },
    },
  });
  const port = Number(values.port);
  const started = Date.now();
  mkdirSync(LOCAL_DIR, { recursive: true });

  // Filled in as parts start, so a signal during start-up stops whatever is already running.
  const running: { stack?: Stack; host?: LocalHost } = {};
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const deadline = setTimeout(() => process.exit(code), STOP_DEADLINE_MS);
    deadline.unref();
    await running.host?.stop().catch((err: unknown) => {
      console.error('host stop failed:', err);
    });
    await running.stack?.stop().catch((err: unknown) => {
      console.error('stack stop failed:', err);
    });
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  let settings: Record<string, string>;
  if (values['no-emulators']) {
    settings = { ...localSettingsFile() };
    // Every name the schema reads, including identity-based ones such as
    // ServiceBusConnection__fullyQualifiedNamespace exported from `azd env get-values`.
    for (const name of Object.keys(EnvSchema.shape)) {
      const value = process.env[name];
      if (value !== undefined && value !== '') settings[name] = value;
    }
  } else {
    const stack = await startStack({ persistDir: LOCAL_DIR });
    running.stack = stack;
    await writeStackFile(stack, path.join(LOCAL_DIR, 'stack.json'));
    if (values['emulators-only']) {
      console.log(`Embedded stack ready in ${Date.now() - started} ms; settings in .local/stack.json`);
      for (const s of stack.services) console.log(`  ${s.name.padEnd(14)} ${s.url}`);
      console.log('Press Ctrl-C to stop.');
      return;
    }
    settings = appSettingsFor(stack, port, process.env);
  }

  try {
    loadConfig(settings);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      await stop(1);
      return;
    }
    throw err;
  }

  // Before the host listens, so .local/dev-tenant.json is there once /api/health answers.
  if (!values['no-emulators']) await bootstrapDevTenant(settings, path.join(LOCAL_DIR, 'dev-tenant.json'));

  const host = await startLocalHost({
    appEntry: path.join(ROOT, 'dist', 'functions', 'index.js'),
    settings,
    port,
    hostJsonPath: path.join(ROOT, 'host.json'),
  });
  running.host = host;
  console.log(`Sync engine ready in ${Date.now() - started} ms: ${host.baseUrl}`);
  console.log(`  health: ${host.baseUrl}/health`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  });
}
