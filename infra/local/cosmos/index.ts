import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';

import type Account from '@vercel/cosmosdb-server/lib/account';
import routes from '@vercel/cosmosdb-server/lib/routes';

import { closeServer, listenOnLoopback, writeFileAtomic } from '../emulatorSupport';
import type { RunningService } from '../stackTypes';
import { LocalAccount } from './localAccount';
import { restoreAccount, snapshotAccount } from './snapshot';

/** The Cosmos DB emulator's well-known key (public, documented by Microsoft). The server does not check it. */
export const COSMOS_EMULATOR_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface StartCosmosOptions {
  readonly port?: number;
  /** When set, the store is loaded from and saved to `<persistDir>/cosmos/snapshot.json`. */
  readonly persistDir?: string;
  /** How often a changed store is saved while running; default 2 s. */
  readonly snapshotIntervalMs?: number;
  /** Where request failures are reported; default stderr. */
  readonly log?: (line: string) => void;
}

export interface RunningCosmos extends RunningService {
  readonly endpoint: string;
  readonly key: string;
  /** CosmosDbConnection value. */
  readonly connectionString: string;
  /** Saves the snapshot now (no-op without persistDir). */
  flush(): Promise<void>;
}

const ZERO_QUERY_METRICS = [
  'totalExecutionTimeInMs=0.00',
  'queryCompileTimeInMs=0.00',
  'queryLogicalPlanBuildTimeInMs=0.00',
  'queryPhysicalPlanBuildTimeInMs=0.00',
  'queryOptimizationTimeInMs=0.00',
  'VMExecutionTimeInMs=0.00',
  'indexLookupTimeInMs=0.00',
  'documentLoadTimeInMs=0.00',
  'systemFunctionExecuteTimeInMs=0.00',
  'userFunctionExecuteTimeInMs=0.00',
  'retrievedDocumentCount=0',
  'retrievedDocumentSize=0',
  'outputDocumentCount=1',
  'outputDocumentSize=0',
  'writeOutputTimeInMs=0.00',
  'indexUtilizationRatio=0.00',
].join(';');

type RouteHandler = (
  account: Account,
  req: IncomingMessage,
  res: ServerResponse,
  params: unknown,
) => Promise<unknown>;

/**
 * Runs @vercel/cosmosdb-server's account and routes behind our own plain-http listener with
 * keep-alive. Its packaged http server advertises `https://` in the account's locations, which
 * makes @azure/cosmos switch to TLS after endpoint discovery; owning the listener fixes that and
 * gives us the store for snapshots. {@link LocalAccount} adds composite unique keys.
 */
export async function startCosmosEmulator(options: StartCosmosOptions = {}): Promise<RunningCosmos> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Requests that race the snapshot load get 503 instead of an empty store.
  const ready: { account?: Account } = {};
  let dirty = false;

  const server = createServer({ keepAlive: true }, (req, res) => {
    const account = ready.account;
    if (account === undefined) {
      res.statusCode = 503;
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.headers['x-ms-documentdb-isquery'] !== 'true') {
      dirty = true;
    }
    void handle(account, req, res, log);
  });
  server.keepAliveTimeout = 30_000;
  const port = await listenOnLoopback(server, options.port ?? 0);
  const endpoint = `http://127.0.0.1:${port}/`;
  const local = new LocalAccount('127.0.0.1', port);
  for (const location of [
    ...readLocations(local, 'writableLocations'),
    ...readLocations(local, 'readableLocations'),
  ]) {
    location.databaseAccountEndpoint = endpoint;
  }

  const snapshotPath =
    options.persistDir === undefined ? undefined : join(options.persistDir, 'cosmos', 'snapshot.json');
  if (snapshotPath !== undefined) {
    await mkdir(join(snapshotPath, '..'), { recursive: true });
    let text: string | undefined;
    try {
      text = await readFile(snapshotPath, 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      try {
        restoreAccount(local, JSON.parse(text) as unknown);
      } catch (err) {
        await closeServer(server);
        throw new Error(`Cosmos snapshot ${snapshotPath} cannot be loaded: ${(err as Error).message}`);
      }
    }
  }
  ready.account = local;

  let saving: Promise<void> = Promise.resolve();
  let periodicNotBefore = 0;
  const flush = async (): Promise<void> => {
    if (snapshotPath === undefined) return;
    const run = async (): Promise<void> => {
      if (!dirty) return;
      dirty = false;
      try {
        const begun = Date.now();
        const json = JSON.stringify(snapshotAccount(local));
        // Serialising blocks the event loop; with a large store, save less often (≤10% busy).
        periodicNotBefore = Date.now() + (Date.now() - begun) * 10;
        await writeFileAtomic(snapshotPath, json);
      } catch (err) {
        dirty = true;
        log(`cosmos: snapshot save failed: ${(err as Error).message}`);
      }
    };
    saving = saving.then(run);
    return saving;
  };
  const timer =
    snapshotPath === undefined
      ? undefined
      : setInterval(() => {
          if (Date.now() >= periodicNotBefore) void flush();
        }, options.snapshotIntervalMs ?? 2000);
  timer?.unref();

  let stopping: Promise<void> | undefined;
  return {
    name: 'cosmos',
    url: endpoint,
    endpoint,
    key: COSMOS_EMULATOR_KEY,
    connectionString: `AccountEndpoint=${endpoint};AccountKey=${COSMOS_EMULATOR_KEY};`,
    flush,
    stop: async () => {
      stopping ??= (async () => {
        clearInterval(timer);
        await closeServer(server);
        await flush();
      })();
      return stopping;
    },
  };
}

function readLocations(
  account: Account,
  key: 'writableLocations' | 'readableLocations',
): { databaseAccountEndpoint: string }[] {
  const data = account.read() as Record<string, unknown>;
  return (data[key] ?? []) as { databaseAccountEndpoint: string }[];
}

/** The package's request handler, minus its https-only content-location and per-request `connection: close`. */
async function handle(
  account: Account,
  req: IncomingMessage,
  res: ServerResponse,
  log: (line: string) => void,
): Promise<void> {
  const route = routes(req) as [unknown, RouteHandler] | undefined;
  let body: Record<string, unknown> | undefined;
  try {
    if (route === undefined) {
      res.statusCode = 400;
      body = { message: 'no route' };
    } else {
      const [params, handler] = route;
      body = (await handler(account, req, res, params)) as Record<string, unknown> | undefined;
      if (res.statusCode > 399 && body !== undefined && body['message'] === undefined) body['message'] = '';
    }
  } catch (err) {
    // The package flags store errors but not every handler maps them (an upsert that breaks a
    // unique key would be a 500); answer them the way Cosmos DB does.
    const flags = err as { conflict?: boolean; badRequest?: boolean; message?: string };
    if (flags.conflict === true) {
      res.statusCode = 409;
      body = { code: 'Conflict', message: flags.message ?? '' };
    } else if (flags.badRequest === true) {
      res.statusCode = 400;
      body = { code: 'BadRequest', message: flags.message ?? '' };
    } else {
      log(
        `cosmos: ${req.method ?? ''} ${(req.url ?? '').split('?')[0] ?? ''} failed: ${flags.message ?? String(err)}`,
      );
      res.statusCode = 500;
      body = { message: flags.message ?? '' };
    }
  }
  if (res.writableEnded) return;
  const etag = body?.['_etag'];
  if (typeof etag === 'string') res.setHeader('etag', etag);
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-location', `http://${req.headers.host ?? ''}${req.url ?? ''}`);
  res.setHeader('x-ms-activity-id', randomUUID());
  res.setHeader('x-ms-request-charge', '1');
  if (req.headers['x-ms-documentdb-populatequerymetrics'] !== undefined) {
    res.setHeader('x-ms-documentdb-query-metrics', ZERO_QUERY_METRICS);
  }
  if (req.headers['a-im'] !== undefined && res.statusCode === 200) {
    // Change feed is not supported: answer "no changes" the way the package does.
    if (req.headers['if-none-match'] !== undefined) res.statusCode = 304;
    res.setHeader('etag', '1');
  }
  res.end(JSON.stringify(body ?? {}));
}
