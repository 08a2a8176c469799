import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

export interface Child<T> {
  readonly process: ChildProcess;
  readonly ready: T;
  stop(): Promise<void>;
}

/** Forks bench/lib/NAME.js and waits for its `{ ready: true, … }` message. */
export async function startChild<T>(
  name: string,
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<Child<T>> {
  // BENCH_CPU_PROF=hostChild,stackChild writes V8 CPU profiles of those children to BENCH_CPU_PROF_DIR.
  const profiled = (process.env['BENCH_CPU_PROF'] ?? '').split(',').includes(name);
  const child = fork(join(__dirname, `${name}.js`), [], {
    env: { ...process.env, ...env },
    execArgv: profiled ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF_DIR'] ?? '.'}`] : [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${name} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', (m: unknown) => {
      if (typeof m === 'object' && m !== null && (m as { ready?: unknown }).ready === true) {
        clearTimeout(timer);
        resolve(m as T);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${String(code)} before it was ready`));
    });
  });
  return {
    process: child,
    ready,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.send('stop');
      }),
  };
}
