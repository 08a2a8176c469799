/**
 * The local Functions host for jest. Jest's module registry does not go through Node's
 * Module._load, so the `@azure/functions-core` answer the host installs there is given to jest
 * as a virtual mock instead. Import this module before anything that loads the app (function
 * modules call `app.*` when they load).
 */
import type * as CoreApiModule from '../../infra/local/host/coreApi';

jest.mock(
  '@azure/functions-core',
  () => jest.requireActual<typeof CoreApiModule>('../../infra/local/host/coreApi').coreApi,
  { virtual: true },
);

export type { LocalHost, LocalHostOptions, RegisteredFunction } from '../../infra/local/host';
export { startLocalHost } from '../../infra/local/host';
