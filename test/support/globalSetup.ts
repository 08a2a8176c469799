import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startStack, writeStackFile } from '../../infra/local/stack';
import type { Stack } from '../../infra/local/stackTypes';
import { STACK_FILE_ENV } from './stackFile';

/** Shared with globalTeardown: jest runs both in the same (parent) process. */
export interface TestStackState {
  stack?: Stack | undefined;
  starting?: Promise<Stack> | undefined;
  users: number;
  file?: string;
}

const globals = globalThis as { __syncTestStack__?: TestStackState };

export function testStackState(): TestStackState {
  globals.__syncTestStack__ ??= { users: 0 };
  return globals.__syncTestStack__;
}

/**
 * Starts the embedded stack once for the whole jest run, in memory and with the telemetry
 * collector. The integration and e2e projects both call this; the second call reuses the stack.
 * Workers are forked after this runs, so they inherit the settings through process.env; the same
 * settings are also written to the file named by SYNC_TEST_STACK_FILE.
 */
export default async function globalSetup(): Promise<void> {
  const state = testStackState();
  state.users += 1;
  if (state.starting === undefined) {
    const begun = Date.now();
    state.starting = startStack({ withTelemetryCollector: true });
    const stack = await state.starting;
    state.stack = stack;
    const file = join(tmpdir(), `sync-test-stack-${process.pid}.json`);
    await writeStackFile(stack, file);
    state.file = file;
    for (const [name, value] of Object.entries(stack.settings)) process.env[name] = value;
    process.env[STACK_FILE_ENV] = file;
    if (process.env['SYNC_TEST_STACK_VERBOSE'] === '1')
      process.stderr.write(`\nlocal stack up in ${Date.now() - begun} ms\n`);
  } else {
    await state.starting;
  }
}
