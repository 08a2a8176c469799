import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { RunningService } from '../stackTypes';

/** The storage emulator's well-known development account (public, documented by Microsoft). */
export const DEV_STORAGE_ACCOUNT = 'devstoreaccount1';
export const DEV_STORAGE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface StartAzuriteOptions {
  /** Directory for Azurite's data (`<persistDir>/azurite`); undefined keeps everything in memory. */
  readonly persistDir?: string;
  /** Milliseconds to wait for all three services to listen. */
  readonly startTimeoutMs?: number;
}

export interface RunningAzurite extends RunningService {
  /** AzureWebJobsStorage value: explicit endpoints, so the SDKs never fall back to the default ports. */
  readonly connectionString: string;
  readonly blobEndpoint: string;
  readonly queueEndpoint: string;
  readonly tableEndpoint: string;
  readonly pid: number;
}

/**
 * Runs inside the child before Azurite's CLI: Azurite reads its flags from process.argv, and it
 * must not outlive us. The IPC channel closes when the parent dies in any way (even SIGKILL), so
 * the child shuts down on 'disconnect'; the channel is unref'd so it never keeps Azurite alive.
 */
const CHILD_BOOTSTRAP = `
const cli = process.argv[1];
process.argv = [process.argv[0], cli, ...process.argv.slice(2)];
if (process.channel) {
  process.channel.unref();
  process.once('disconnect', () => {
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
require(cli);
`;

const SERVICES = ['Blob', 'Queue', 'Table'] as const;
type ServiceName = (typeof SERVICES)[number];
const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at (http:\/\/\S+)/;

/**
 * Starts Azurite's CLI as a child process in its own process group, on OS-assigned loopback ports
 * (port 0; the real ports are read from its "listening at" lines), and resolves once blob, queue
 * and table all listen.
 */
export async function startAzurite(options: StartAzuriteOptions = {}): Promise<RunningAzurite> {
  const cli = require.resolve('azurite/dist/src/azurite.js');
  const args = [
    '--silent',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    ...SERVICES.flatMap((s) => [`--${s.toLowerCase()}Host`, '127.0.0.1', `--${s.toLowerCase()}Port`, '0']),
  ];
  if (options.persistDir === undefined) {
    args.push('--inMemoryPersistence');
  } else {
    const location = join(options.persistDir, 'azurite');
    await mkdir(location, { recursive: true });
    args.push('--location', location);
  }

  const child = spawn(process.execPath, ['-e', CHILD_BOOTSTRAP, cli, ...args], {
    // In memory, Azurite still resolves its default location from cwd; keep that off the repo.
    cwd: options.persistDir ?? process.cwd(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, AZURITE_ACCOUNTS: undefined },
  });
  // Our own reference must not keep the parent alive either; stop() and exit handlers end the child.
  child.unref();
  if (child.pid === undefined) throw new Error('Azurite did not start (no pid)');
  const pid = child.pid;
  const removeExitHook = killGroupOnExit(pid);

  const endpoints = new Map<ServiceName, string>();
  let stderr = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(`Azurite did not listen within ${options.startTimeoutMs ?? 15000} ms. ${stderr.trim()}`),
        );
      }, options.startTimeoutMs ?? 15000);
      let buffered = '';
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const match = LISTENING.exec(buffered.slice(0, newline));
          if (match?.[1] !== undefined && match[2] !== undefined)
            endpoints.set(match[1] as ServiceName, match[2]);
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf('\n');
        }
        if (endpoints.size === SERVICES.length) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-4000);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(
            `Azurite exited during start (code ${String(code)}, signal ${String(signal)}). ${stderr.trim()}`,
          ),
        );
      });
    });
  } catch (err) {
    await stopChild(child, pid);
    removeExitHook();
    throw err;
  }
  // Keep draining its output so a full pipe can never block Azurite.
  child.stdout?.resume();
  child.stderr?.resume();

  const endpoint = (s: ServiceName): string => `${endpoints.get(s) ?? ''}/${DEV_STORAGE_ACCOUNT}`;
  const blobEndpoint = endpoint('Blob');
  const queueEndpoint = endpoint('Queue');
  const tableEndpoint = endpoint('Table');
  let stopping: Promise<void> | undefined;
  return {
    name: 'azurite',
    url: blobEndpoint,
    pid,
    blobEndpoint,
    queueEndpoint,
    tableEndpoint,
    connectionString: [
      'DefaultEndpointsProtocol=http',
      `AccountName=${DEV_STORAGE_ACCOUNT}`,
      `AccountKey=${DEV_STORAGE_KEY}`,
      `BlobEndpoint=${blobEndpoint}`,
      `QueueEndpoint=${queueEndpoint}`,
      `TableEndpoint=${tableEndpoint}`,
    ].join(';'),
    stop: async () => {
      stopping ??= stopChild(child, pid).finally(removeExitHook);
      return stopping;
    },
  };
}

/** SIGTERM lets Azurite flush its on-disk databases; SIGKILL to the whole group if it lingers. */
async function stopChild(child: ChildProcess, pid: number, graceMs = 1500): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  signalGroup(pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      resolve(true);
    }, graceMs);
  });
  const lingering = await Promise.race([exited.then(() => false), timedOut]);
  clearTimeout(timer);
  if (lingering) {
    signalGroup(pid, 'SIGKILL');
    await exited;
  }
  if (child.connected) child.disconnect();
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * A detached child is in its own process group, so Ctrl-C on the terminal does not reach it; if
 * the parent exits without calling stop(), kill the group synchronously from the exit handler.
 */
function killGroupOnExit(pid: number): () => void {
  const onExit = (): void => {
    signalGroup(pid, 'SIGKILL');
  };
  process.once('exit', onExit);
  return () => {
    process.off('exit', onExit);
  };
}
