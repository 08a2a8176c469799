import { mkdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { join } from 'node:path';

import { z } from 'zod';

import { closeServer, listenOnLoopback, writeFileAtomic } from '../emulatorSupport';
import type { RunningService } from '../stackTypes';
import type { LocalCertificates } from '../tls/certificates';
import {
  type DeletedSecret,
  RECOVERABLE_DAYS,
  SecretStore,
  type SecretUpdate,
  type SecretVersion,
  type StoredSecret,
} from './secretStore';

export interface StartKeyVaultOptions {
  /** Server certificate (signed by the local CA the clients trust). */
  readonly certificates: LocalCertificates;
  readonly port?: number;
  /** When set, secrets survive restarts in `<persistDir>/keyvault/secrets.json` (plain text, mode 0600: local development only). */
  readonly persistDir?: string;
  /** Tenant named in the 401 challenge; any is accepted back. */
  readonly tenantId?: string;
}

export interface RunningKeyVault extends RunningService {
  /** KEYVAULT_URI value. */
  readonly vaultUrl: string;
}

/** The audience Key Vault tokens are issued for, named in the challenge's `resource`. */
export const KEY_VAULT_RESOURCE = 'https://vault.azure.net';
const LOCAL_TENANT = '00000000-0000-0000-0000-000000000001';
const MAX_BODY_BYTES = 256 * 1024;
const MAX_PAGE = 25;
const NAME = /^[0-9a-zA-Z-]{1,127}$/;

const AttributesSchema = z
  .object({ enabled: z.boolean().optional(), nbf: z.number().optional(), exp: z.number().optional() })
  .loose();
const SetSchema = z
  .object({
    value: z.string(),
    contentType: z.string().optional(),
    tags: z.record(z.string(), z.string()).optional(),
    attributes: AttributesSchema.optional(),
  })
  .loose();
const UpdateSchema = z
  .object({
    contentType: z.string().optional(),
    tags: z.record(z.string(), z.string()).optional(),
    attributes: AttributesSchema.optional(),
  })
  .loose();

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A local HTTPS endpoint for the Key Vault secrets API as SecretClient (@azure/keyvault-secrets)
 * calls it: set, get (latest or a version), update properties, list secrets and versions with
 * nextLink paging, soft delete (get/list deleted, purge, recover). Requests without a valid bearer
 * token get the same 401 challenge Azure sends, which starts the SDK's challenge flow.
 */
export async function startKeyVaultEmulator(options: StartKeyVaultOptions): Promise<RunningKeyVault> {
  const statePath =
    options.persistDir === undefined ? undefined : join(options.persistDir, 'keyvault', 'secrets.json');
  let store = new SecretStore();
  if (statePath !== undefined) {
    await mkdir(join(statePath, '..'), { recursive: true });
    const text = await readFile(statePath, 'utf8').catch(() => undefined);
    if (text !== undefined) store = SecretStore.fromJson(JSON.parse(text) as unknown);
  }
  let saving: Promise<void> = Promise.resolve();
  const save = async (): Promise<void> => {
    if (statePath === undefined) return;
    const content = JSON.stringify(store.toJson());
    saving = saving.then(async () => writeFileAtomic(statePath, content));
    return saving;
  };

  const challenge = `Bearer authorization="https://login.microsoftonline.com/${options.tenantId ?? LOCAL_TENANT}", resource="${KEY_VAULT_RESOURCE}"`;
  let vaultUrl = '';
  const server = createServer(
    { cert: options.certificates.serverCertPem, key: options.certificates.serverKeyPem, keepAlive: true },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        const e =
          err instanceof HttpError ? err : new HttpError(500, 'InternalError', (err as Error).message);
        const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
        if (e.status === 401)
          headers['www-authenticate'] =
            challenge + (e.code === 'invalid_token' ? ', error="invalid_token"' : '');
        if (!res.headersSent) res.writeHead(e.status, headers);
        res.end(JSON.stringify({ error: { code: e.code, message: e.message } }));
      });
    },
  );

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', vaultUrl);
    authorize(req.headers.authorization);
    const apiVersion = url.searchParams.get('api-version');
    if (apiVersion === null || apiVersion === '')
      throw new HttpError(400, 'BadParameter', 'The api-version query parameter is missing.');
    const segments = url.pathname
      .split('/')
      .filter((s) => s.length > 0)
      .map(decodeURIComponent);
    const [collection, name, sub] = segments;
    if (name !== undefined && !NAME.test(name)) {
      throw new HttpError(
        400,
        'BadParameter',
        'The request URI contains an invalid name. Names may contain 1-127 letters, digits and dashes.',
      );
    }
    const method = req.method ?? 'GET';
    const send = (status: number, body?: unknown): void => {
      if (body === undefined) {
        res.writeHead(status).end();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    };
    const page = <T>(items: readonly T[]): { value: T[]; nextLink: string | null } => {
      const max = Math.min(Number(url.searchParams.get('maxresults') ?? MAX_PAGE) || MAX_PAGE, MAX_PAGE);
      const offset =
        Number(Buffer.from(url.searchParams.get('$skiptoken') ?? '', 'base64url').toString() || '0') || 0;
      const next = offset + max;
      const nextLink =
        next < items.length
          ? `${vaultUrl}${url.pathname}?api-version=${encodeURIComponent(apiVersion)}&$skiptoken=${Buffer.from(String(next)).toString('base64url')}&maxresults=${max}`
          : null;
      return { value: items.slice(offset, next), nextLink };
    };

    if (collection === 'secrets') {
      if (name === undefined) {
        if (method !== 'GET') throw methodNotAllowed();
        const latest = store.list().flatMap((s) => {
          const v = s.versions[s.versions.length - 1];
          return v === undefined ? [] : [item(s, v, false)];
        });
        send(200, page(latest));
        return;
      }
      if (sub === 'versions' && segments.length === 3) {
        if (method !== 'GET') throw methodNotAllowed();
        const found = store.get(name);
        if (found === undefined) throw notFound(name);
        send(200, page(found.secret.versions.map((v) => item(found.secret, v, true))));
        return;
      }
      if (segments.length > 3) throw new HttpError(404, 'NotFound', 'No such operation.');
      if (method === 'PUT' && sub === undefined) {
        const body = SetSchema.safeParse(await readJson(req));
        if (!body.success)
          throw new HttpError(400, 'BadParameter', `Invalid secret: ${body.error.issues[0]?.message ?? ''}`);
        const result = store.set(name, body.data.value, toUpdate(body.data));
        if (result === 'Conflict') {
          throw new HttpError(
            409,
            'Conflict',
            `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
          );
        }
        if (result === 'NotFound') throw notFound(name);
        await save();
        send(200, bundle(result.secret, result.version, true));
        return;
      }
      if (method === 'GET') {
        const found = store.get(name, sub);
        if (found === undefined) throw notFound(name, sub);
        if (!found.version.enabled)
          throw new HttpError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.');
        send(200, bundle(found.secret, found.version, true));
        return;
      }
      if (method === 'PATCH') {
        const body = UpdateSchema.safeParse(await readJson(req));
        if (!body.success)
          throw new HttpError(400, 'BadParameter', `Invalid update: ${body.error.issues[0]?.message ?? ''}`);
        const found = store.update(name, sub, toUpdate(body.data));
        if (found === undefined) throw notFound(name, sub);
        await save();
        send(200, bundle(found.secret, found.version, false));
        return;
      }
      if (method === 'DELETE' && sub === undefined) {
        const deleted = store.delete(name);
        if (deleted === undefined) throw notFound(name);
        await save();
        send(200, deletedBundle(deleted));
        return;
      }
      throw methodNotAllowed();
    }

    if (collection === 'deletedsecrets') {
      if (name === undefined) {
        if (method !== 'GET') throw methodNotAllowed();
        send(200, page(store.listDeleted().flatMap((d) => deletedItem(d))));
        return;
      }
      if (sub === 'recover' && method === 'POST') {
        const recovered = store.recover(name);
        if (recovered === undefined) throw deletedNotFound(name);
        await save();
        const latest = recovered.versions[recovered.versions.length - 1];
        if (latest === undefined) throw deletedNotFound(name);
        send(200, bundle(recovered, latest, false));
        return;
      }
      if (sub !== undefined) throw new HttpError(404, 'NotFound', 'No such operation.');
      if (method === 'GET') {
        const deleted = store.getDeleted(name);
        if (deleted === undefined) throw deletedNotFound(name);
        send(200, deletedBundle(deleted));
        return;
      }
      if (method === 'DELETE') {
        if (!store.purge(name)) throw deletedNotFound(name);
        await save();
        send(204);
        return;
      }
      throw methodNotAllowed();
    }
    throw new HttpError(404, 'NotFound', 'Only the secrets API is emulated.');
  }

  const attributes = (v: SecretVersion): Record<string, unknown> => ({
    enabled: v.enabled,
    ...(v.nbf === undefined ? {} : { nbf: v.nbf }),
    ...(v.exp === undefined ? {} : { exp: v.exp }),
    created: v.created,
    updated: v.updated,
    recoveryLevel: 'Recoverable+Purgeable',
    recoverableDays: RECOVERABLE_DAYS,
  });
  const common = (v: SecretVersion): Record<string, unknown> => ({
    attributes: attributes(v),
    ...(v.contentType === undefined ? {} : { contentType: v.contentType }),
    ...(v.tags === undefined ? {} : { tags: v.tags }),
  });
  const bundle = (s: StoredSecret, v: SecretVersion, withValue: boolean): Record<string, unknown> => ({
    ...(withValue ? { value: v.value } : {}),
    id: `${vaultUrl}/secrets/${s.name}/${v.version}`,
    ...common(v),
  });
  const item = (s: StoredSecret, v: SecretVersion, withVersion: boolean): Record<string, unknown> => ({
    id: withVersion ? `${vaultUrl}/secrets/${s.name}/${v.version}` : `${vaultUrl}/secrets/${s.name}`,
    ...common(v),
  });
  const deletedFields = (d: DeletedSecret): Record<string, unknown> => ({
    recoveryId: `${vaultUrl}/deletedsecrets/${d.secret.name}`,
    deletedDate: d.deletedDate,
    scheduledPurgeDate: d.scheduledPurgeDate,
  });
  const deletedBundle = (d: DeletedSecret): Record<string, unknown> => {
    const latest = d.secret.versions[d.secret.versions.length - 1];
    return latest === undefined
      ? deletedFields(d)
      : { ...bundle(d.secret, latest, false), ...deletedFields(d) };
  };
  const deletedItem = (d: DeletedSecret): Record<string, unknown>[] => {
    const latest = d.secret.versions[d.secret.versions.length - 1];
    return latest === undefined ? [] : [{ ...item(d.secret, latest, false), ...deletedFields(d) }];
  };

  const port = await listenOnLoopback(server, options.port ?? 0);
  vaultUrl = `https://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    name: 'keyvault',
    url: vaultUrl,
    vaultUrl,
    stop: async () => {
      stopping ??= (async () => {
        await closeServer(server);
        await saving;
      })();
      return stopping;
    },
  };
}

/** Accepts what LocalTokenCredential issues: a JWT for the vault audience that has not expired. */
function authorize(header: string | undefined): void {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (match?.[1] === undefined)
    throw new HttpError(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.');
  const payload = match[1].split('.')[1] ?? '';
  let claims: { aud?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      aud?: unknown;
      exp?: unknown;
    };
  } catch {
    throw new HttpError(401, 'invalid_token', 'AKV10000: The token is not a JWT.');
  }
  const audience = typeof claims.aud === 'string' ? claims.aud.replace(/\/+$/, '') : '';
  if (audience !== KEY_VAULT_RESOURCE)
    throw new HttpError(401, 'invalid_token', `AKV10022: Invalid audience. Expected ${KEY_VAULT_RESOURCE}.`);
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
    throw new HttpError(401, 'invalid_token', 'AKV10012: The token has expired.');
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'RequestTooLarge', 'The request body is too large.');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'BadParameter', 'The request body is not valid JSON.');
  }
}

function toUpdate(body: {
  contentType?: string | undefined;
  tags?: Record<string, string> | undefined;
  attributes?: z.infer<typeof AttributesSchema> | undefined;
}): SecretUpdate {
  return {
    contentType: body.contentType,
    tags: body.tags,
    enabled: body.attributes?.enabled,
    nbf: body.attributes?.nbf,
    exp: body.attributes?.exp,
  };
}

function notFound(name: string, version?: string): HttpError {
  const what = version === undefined || version === '' ? name : `${name}/${version}`;
  return new HttpError(
    404,
    'SecretNotFound',
    `A secret with (name/id) ${what} was not found in this key vault.`,
  );
}

function deletedNotFound(name: string): HttpError {
  return new HttpError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
}

function methodNotAllowed(): HttpError {
  return new HttpError(405, 'MethodNotAllowed', 'The method is not allowed on this resource.');
}
