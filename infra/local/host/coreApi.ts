import Module from 'node:module';

import type {
  Disposable,
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  ProgrammingModel,
  RpcLogCategory,
  RpcLogLevel,
} from './coreTypes';

/** The module name @azure/functions requires to reach the Functions runtime. */
export const CORE_MODULE_NAME = '@azure/functions-core';

export type HookName = 'preInvocation' | 'postInvocation' | 'appStart' | 'appTerminate' | 'log';
const HOOK_NAMES: readonly HookName[] = [
  'preInvocation',
  'postInvocation',
  'appStart',
  'appTerminate',
  'log',
];

export interface RegisteredCallback {
  readonly metadata: FunctionMetadata;
  readonly callback: FunctionCallback;
}

export type SystemLogSink = (level: RpcLogLevel, category: RpcLogCategory, message: string) => void;

/**
 * Process-wide state behind `@azure/functions-core`, as the Node.js worker keeps it: one app per
 * process, functions registered while the app loads, hooks in registration order.
 */
export class CoreApiState {
  readonly functions = new Map<string, RegisteredCallback>();
  readonly hooks = new Map<HookName, HookCallback[]>(HOOK_NAMES.map((name) => [name, []]));
  /** Shared by every hook (`appHookData`); app-level hooks also get their own (`hookData`). */
  readonly appHookData: Record<string, unknown> = {};
  readonly appLevelOnlyHookData: Record<string, unknown> = {};
  programmingModel: ProgrammingModel | undefined;
  /** True while a started host serves the app; registering then is a bug the worker rejects too. */
  hostRunning = false;
  systemLog: SystemLogSink | undefined;

  getHooks(name: HookName): readonly HookCallback[] {
    return this.hooks.get(name) ?? [];
  }
}

export const coreState = new CoreApiState();

class LocalDisposable implements Disposable {
  #dispose: (() => void) | undefined;
  constructor(dispose: () => void) {
    this.#dispose = dispose;
  }
  dispose(): void {
    const dispose = this.#dispose;
    this.#dispose = undefined;
    dispose?.();
  }
}

function isHookName(name: string): name is HookName {
  return (HOOK_NAMES as readonly string[]).includes(name);
}

/**
 * The object `require('@azure/functions-core')` returns. Its surface matches what the worker
 * exposes and what @azure/functions 4.x calls.
 */
export const coreApi = {
  version: '3.x-local',
  hostVersion: '4.x-local',
  Disposable: LocalDisposable,

  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
    if (coreState.hostRunning) {
      throw new Error('A function can only be registered during app startup.');
    }
    const name = metadata.name;
    if (coreState.functions.has(name)) {
      throw new Error(`A function with the name "${name}" has already been registered.`);
    }
    coreState.functions.set(name, { metadata, callback });
    return new LocalDisposable(() => {
      if (coreState.hostRunning) throw new Error('A function can only be disposed during app startup.');
      coreState.functions.delete(name);
    });
  },

  registerHook(hookName: string, callback: HookCallback): Disposable {
    if (!isHookName(hookName)) {
      // The library maps a RangeError from the runtime to "this host is too old" for log hooks.
      const error = new RangeError(`Unrecognized hook "${hookName}"`) as RangeError & {
        isAzureFunctionsSystemError: boolean;
      };
      error.isAzureFunctionsSystemError = true;
      throw error;
    }
    const list = coreState.hooks.get(hookName) ?? [];
    list.push(callback);
    coreState.hooks.set(hookName, list);
    return new LocalDisposable(() => {
      const index = list.indexOf(callback);
      if (index >= 0) list.splice(index, 1);
    });
  },

  setProgrammingModel(programmingModel: ProgrammingModel): void {
    coreState.programmingModel = programmingModel;
  },

  getProgrammingModel(): ProgrammingModel | undefined {
    return coreState.programmingModel;
  },

  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
    coreState.systemLog?.(level, category, message);
  },
};

export type CoreApi = typeof coreApi;

interface ModuleLoader {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
}

let installed = false;

/**
 * Answers `require('@azure/functions-core')` with {@link coreApi} for every module loaded through
 * Node's loader. @azure/functions looks the module up lazily, on its first `app.*` call, so this
 * must run before the app registers anything. Jest's module registry bypasses `Module._load`;
 * see test/support/localHost.ts for the jest equivalent.
 */
export function installCoreApiModule(): void {
  if (installed) return;
  installed = true;
  const loader = Module as unknown as ModuleLoader;
  const original = loader._load.bind(loader);
  loader._load = (request: string, parent: unknown, isMain: boolean): unknown =>
    request === CORE_MODULE_NAME ? coreApi : original(request, parent, isMain);
}
