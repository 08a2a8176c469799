import { dirname, resolve as resolvePath } from 'node:path';

import { coreState, installCoreApiModule } from './coreApi';
import type { RpcTypedData, WorkerCapabilities } from './coreTypes';
import { Dispatcher, type HostedFunction } from './dispatcher';
import { type HostConfig, loadHostConfig } from './hostConfig';
import { startHttpHost } from './httpServer';
import { runAppHooks } from './invoke';
import { createLogger, type HostLogger, type LogFormat, type TriggerKind } from './logger';
import { startServiceBusTriggers } from './serviceBus';
import { startTimers } from './timers';

export type { LogFormat } from './logger';

export interface LocalHostOptions {
  /** Module that registers functions via @azure/functions `app.*` (dist/functions/index.js for npm start). */
  appEntry: string;
  /** App settings, copied into process.env before the app loads (as the Functions host does). */
  settings: Readonly<Record<string, string>>;
  /** Default 7071; 0 = a free port (tests). */
  port?: number;
  /** Default ./host.json (routePrefix, serviceBus concurrency, functionTimeout). */
  hostJsonPath?: string;
  /** Default: pretty on a TTY, JSON lines otherwise. */
  logFormat?: 'pretty' | 'json';
  enableTimers?: boolean;
  enableServiceBus?: boolean;
}

export interface RegisteredFunction {
  name: string;
  trigger: 'http' | 'timer' | 'serviceBus' | 'other';
  /** Exactly what registerFunction received. */
  metadata: unknown;
}

export interface LocalHost {
  /** e.g. http://127.0.0.1:7071/api */
  readonly baseUrl: string;
  readonly functions: readonly RegisteredFunction[];
  stop(): Promise<void>;
}

/** How long stop() lets in-flight invocations finish before closing links regardless. */
const STOP_GRACE_MS = 10_000;

function triggerKind(type: string | null | undefined): TriggerKind {
  switch (type?.toLowerCase()) {
    case 'httptrigger':
      return 'http';
    case 'timertrigger':
      return 'timer';
    case 'servicebustrigger':
      return 'serviceBus';
    default:
      return 'other';
  }
}

function hostedFunctions(): HostedFunction[] {
  return [...coreState.functions.values()].map((registered) => {
    const entry = Object.entries(registered.metadata.bindings).find(([, binding]) =>
      /trigger$/i.test(binding.type ?? ''),
    );
    if (!entry) throw new Error(`Function ${registered.metadata.name} has no trigger binding`);
    const [triggerBindingName, triggerBinding] = entry;
    return {
      name: registered.metadata.name,
      trigger: triggerKind(triggerBinding.type),
      registered,
      triggerBindingName,
      triggerBinding,
    };
  });
}

/** `%Name%` in binding options reads an app setting, as in Azure. */
function settingResolver(env: NodeJS.ProcessEnv): (value: string) => string {
  return (value) =>
    value.replace(/%([^%]+)%/g, (_, name: string) => {
      const resolved = env[name];
      if (resolved === undefined) throw new Error(`'%${name}%' does not resolve to a value.`);
      return resolved;
    });
}

function timeZoneOf(env: NodeJS.ProcessEnv): string | undefined {
  const zone = env['WEBSITE_TIME_ZONE'];
  if (zone === undefined || zone === '') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

function manualInput(fn: HostedFunction, input: string | undefined): RpcTypedData {
  if (fn.trigger === 'timer') {
    const now = new Date().toISOString();
    return {
      json: JSON.stringify({
        Schedule: { AdjustForDST: true },
        ScheduleStatus: { Last: now, Next: now, LastUpdated: now },
        IsPastDue: false,
      }),
    };
  }
  return { string: input ?? '' };
}

function describe(fn: HostedFunction, baseUrl: string): string {
  const b = fn.triggerBinding;
  switch (fn.trigger) {
    case 'http': {
      const methods = Array.isArray(b['methods']) ? (b['methods'] as unknown[]).map(String).join(',') : 'ANY';
      const route = typeof b['route'] === 'string' && b['route'] !== '' ? b['route'] : fn.name;
      return `[${methods}] ${baseUrl}/${route}`;
    }
    case 'timer':
      return `timer ${String(b['schedule'])}${b['runOnStartup'] === true ? ' runOnStartup' : ''}`;
    case 'serviceBus': {
      const entity =
        typeof b['queueName'] === 'string'
          ? b['queueName']
          : `${String(b['topicName'])}/${String(b['subscriptionName'])}`;
      return `serviceBus ${entity}${b['isSessionsEnabled'] === true ? ' (sessions)' : ''}`;
    }
    default:
      return `${String(b.type)} (not triggered locally; POST /admin/functions/${fn.name} runs it)`;
  }
}

function applySettings(settings: Readonly<Record<string, string>>): () => void {
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(settings)) {
    previous.set(name, process.env[name]);
    process.env[name] = value;
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  };
}

function loadApp(appEntry: string): void {
  // The module-scoped require is deliberate: under jest it is jest's require, so the app shares
  // the test's module registry (and its `@azure/functions-core` mock); under Node it goes through
  // Module._load, where installCoreApiModule answers.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(appEntry);
}

/**
 * Starts the local Functions host: loads the app the way the Node.js worker does (receiving its
 * registrations through `@azure/functions-core`), runs appStart hooks, then serves HTTP triggers,
 * fires timers and pumps Service Bus triggers until stop().
 */
export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  installCoreApiModule();
  if (coreState.hostRunning) throw new Error('A local Functions host is already running in this process');

  const restoreEnv = applySettings(options.settings);
  const cleanups: (() => Promise<void> | void)[] = [];
  let logger: HostLogger | undefined;
  try {
    const hostJsonPath = resolvePath(options.hostJsonPath ?? 'host.json');
    const config: HostConfig = await loadHostConfig(hostJsonPath);
    const format: LogFormat = options.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json');
    const activeLogger = createLogger({ format, minLevel: config.logLevel, color: format === 'pretty' });
    logger = activeLogger;
    coreState.systemLog = (level, _category, message) => {
      activeLogger.host(level, message);
    };

    const appEntry = resolvePath(options.appEntry);
    loadApp(appEntry);
    const programmingModel = coreState.programmingModel;
    if (!programmingModel) {
      throw new Error(
        `${options.appEntry} registered nothing through @azure/functions-core. Either it registers no ` +
          'functions, or @azure/functions was used before the local host was installed (it then stays ' +
          'in "test mode"); under jest, import test/support/localHost before anything that loads the app.',
      );
    }

    await runAppHooks(coreState, 'appStart', dirname(appEntry));
    const capabilities: WorkerCapabilities = (await programmingModel.getCapabilities?.({})) ?? {};
    if (capabilities['HttpUri'] !== undefined) {
      throw new Error(
        'app.setup({ enableHttpStream: true }) is not supported by the local host; it would need the ' +
          "library's proxy server, which cannot be shut down. Use func start for streaming.",
      );
    }

    const functions = hostedFunctions();
    const dispatcher = new Dispatcher(coreState, activeLogger, config.functionTimeoutMs);
    const resolve = settingResolver(process.env);
    coreState.hostRunning = true;
    cleanups.push(() => {
      coreState.hostRunning = false;
    });

    const http = await startHttpHost({
      port: options.port ?? 7071,
      routePrefix: config.routePrefix,
      httpFunctions: functions.filter((fn) => fn.trigger === 'http'),
      allFunctions: functions,
      dispatcher,
      manualInput,
    });
    cleanups.push(() => http.close());
    const prefixPath = config.routePrefix === '' ? '' : `/${config.routePrefix}`;
    const baseUrl = `http://127.0.0.1:${http.port}${prefixPath}`;

    let stopTimers = (): void => undefined;
    const timerFunctions = functions.filter((fn) => fn.trigger === 'timer');
    if (options.enableTimers !== false && timerFunctions.length > 0) {
      const timeZone = timeZoneOf(process.env);
      const timers = startTimers(timerFunctions, dispatcher, {
        resolve,
        ...(timeZone === undefined ? {} : { timeZone }),
      });
      stopTimers = () => {
        timers.stop();
      };
      cleanups.push(stopTimers);
    }

    let stopServiceBus = async (drain: () => Promise<void>): Promise<void> => {
      await drain();
    };
    const sbFunctions = functions.filter((fn) => fn.trigger === 'serviceBus');
    if (options.enableServiceBus !== false && sbFunctions.length > 0) {
      const sb = startServiceBusTriggers({
        functions: sbFunctions,
        dispatcher,
        config: config.serviceBus,
        resolve,
        env: process.env,
      });
      stopServiceBus = (drain) => sb.stop(drain);
      cleanups.push(() => sb.stop(() => Promise.resolve()));
    }

    activeLogger.host('information', `Functions host listening on ${baseUrl}`);
    for (const fn of functions) {
      activeLogger.host('information', `  ${fn.name}: ${describe(fn, baseUrl)}`);
      const ignored = Object.values(fn.registered.metadata.bindings)
        .filter((b) =>
          b.direction === 'out' ? b.type?.toLowerCase() !== 'http' : !/trigger$/i.test(b.type ?? ''),
        )
        .map((b) => `${String(b.type)} (${String(b.direction)})`);
      if (ignored.length > 0) {
        activeLogger.host('warning', `  ${fn.name}: bindings not executed locally: ${ignored.join(', ')}`);
      }
    }

    let stopping: Promise<void> | undefined;
    const stop = async (): Promise<void> => {
      const started = Date.now();
      http.stopAccepting();
      stopTimers();
      await stopServiceBus(async () => {
        const left = await dispatcher.drain(STOP_GRACE_MS);
        if (left > 0) activeLogger.host('warning', `Stopping with ${left} invocation(s) still running`);
      });
      await http.close();
      try {
        await runAppHooks(coreState, 'appTerminate', dirname(appEntry));
      } finally {
        coreState.hostRunning = false;
        coreState.systemLog = undefined;
        restoreEnv();
        activeLogger.host('information', 'Functions host stopped', { ms: Date.now() - started });
      }
    };

    return {
      baseUrl,
      functions: functions.map((fn) => ({
        name: fn.name,
        trigger: fn.trigger,
        metadata: fn.registered.metadata,
      })),
      stop: () => (stopping ??= stop()),
    };
  } catch (err) {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (cleanupError) {
        logger?.host('warning', `Cleanup after a failed start failed: ${(cleanupError as Error).message}`);
      }
    }
    coreState.systemLog = undefined;
    restoreEnv();
    throw err;
  }
}
