import { rm } from 'node:fs/promises';

import { testStackState } from './globalSetup';

/** Stops the stack when the last project that set it up is done. */
export default async function globalTeardown(): Promise<void> {
  const state = testStackState();
  state.users = Math.max(0, state.users - 1);
  if (state.users > 0) return;
  const stack = state.stack;
  state.stack = undefined;
  state.starting = undefined;
  if (state.file !== undefined) await rm(state.file, { force: true });
  await stack?.stop();
}
