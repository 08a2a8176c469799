import { randomBytes } from 'node:crypto';

import { z } from 'zod';

/** One version of a secret, as the vault keeps it. Times are Unix seconds, as on the wire. */
const VersionSchema = z.object({
  version: z.string(),
  value: z.string(),
  contentType: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  enabled: z.boolean(),
  nbf: z.number().optional(),
  exp: z.number().optional(),
  created: z.number(),
  updated: z.number(),
});
export type SecretVersion = z.infer<typeof VersionSchema>;

const SecretSchema = z.object({ name: z.string(), versions: z.array(VersionSchema) });
export type StoredSecret = z.infer<typeof SecretSchema>;

const DeletedSchema = z.object({
  secret: SecretSchema,
  deletedDate: z.number(),
  scheduledPurgeDate: z.number(),
});
export type DeletedSecret = z.infer<typeof DeletedSchema>;

const StateSchema = z.object({
  format: z.literal(1),
  secrets: z.array(SecretSchema),
  deleted: z.array(DeletedSchema),
});

export const RECOVERABLE_DAYS = 90;

export interface SecretUpdate {
  readonly contentType?: string | undefined;
  readonly tags?: Record<string, string> | undefined;
  readonly enabled?: boolean | undefined;
  readonly nbf?: number | undefined;
  readonly exp?: number | undefined;
}

export type StoreError = 'NotFound' | 'Conflict';

const now = (): number => Math.floor(Date.now() / 1000);

/**
 * The vault's data: live secrets with their versions (oldest first) and soft-deleted secrets.
 * Names are case-insensitive in Key Vault, so both maps are keyed by the lower-cased name.
 */
export class SecretStore {
  private readonly live = new Map<string, StoredSecret>();
  private readonly deleted = new Map<string, DeletedSecret>();

  static fromJson(value: unknown): SecretStore {
    const state = StateSchema.parse(value);
    const store = new SecretStore();
    for (const s of state.secrets) store.live.set(s.name.toLowerCase(), s);
    for (const d of state.deleted) store.deleted.set(d.secret.name.toLowerCase(), d);
    return store;
  }

  toJson(): z.infer<typeof StateSchema> {
    return { format: 1, secrets: [...this.live.values()], deleted: [...this.deleted.values()] };
  }

  set(
    name: string,
    value: string,
    update: SecretUpdate,
  ): { secret: StoredSecret; version: SecretVersion } | StoreError {
    const key = name.toLowerCase();
    if (this.deleted.has(key)) return 'Conflict';
    const at = now();
    const version: SecretVersion = {
      version: randomBytes(16).toString('hex'),
      value,
      enabled: update.enabled ?? true,
      created: at,
      updated: at,
      ...defined({ contentType: update.contentType, tags: update.tags, nbf: update.nbf, exp: update.exp }),
    };
    const secret = this.live.get(key) ?? { name, versions: [] };
    secret.versions.push(version);
    this.live.set(key, secret);
    return { secret, version };
  }

  get(name: string, version?: string): { secret: StoredSecret; version: SecretVersion } | undefined {
    const secret = this.live.get(name.toLowerCase());
    if (secret === undefined) return undefined;
    const found =
      version === undefined || version === ''
        ? secret.versions[secret.versions.length - 1]
        : secret.versions.find((v) => v.version === version.toLowerCase());
    return found === undefined ? undefined : { secret, version: found };
  }

  update(
    name: string,
    version: string | undefined,
    update: SecretUpdate,
  ): { secret: StoredSecret; version: SecretVersion } | undefined {
    const found = this.get(name, version);
    if (found === undefined) return undefined;
    Object.assign(
      found.version,
      defined({
        contentType: update.contentType,
        tags: update.tags,
        enabled: update.enabled,
        nbf: update.nbf,
        exp: update.exp,
      }),
      { updated: now() },
    );
    return found;
  }

  list(): StoredSecret[] {
    return [...this.live.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  delete(name: string): DeletedSecret | undefined {
    const key = name.toLowerCase();
    const secret = this.live.get(key);
    if (secret === undefined) return undefined;
    this.live.delete(key);
    const deletedDate = now();
    const entry: DeletedSecret = {
      secret,
      deletedDate,
      scheduledPurgeDate: deletedDate + RECOVERABLE_DAYS * 24 * 3600,
    };
    this.deleted.set(key, entry);
    return entry;
  }

  getDeleted(name: string): DeletedSecret | undefined {
    return this.deleted.get(name.toLowerCase());
  }

  listDeleted(): DeletedSecret[] {
    return [...this.deleted.values()].sort((a, b) => a.secret.name.localeCompare(b.secret.name));
  }

  purge(name: string): boolean {
    return this.deleted.delete(name.toLowerCase());
  }

  recover(name: string): StoredSecret | undefined {
    const key = name.toLowerCase();
    const entry = this.deleted.get(key);
    if (entry === undefined) return undefined;
    this.deleted.delete(key);
    this.live.set(key, entry.secret);
    return entry.secret;
  }
}

/** Drops undefined fields (exactOptionalPropertyTypes: absent, never present-but-undefined). */
function defined<T extends Record<string, unknown>>(
  fields: T,
): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<{
    [K in keyof T]: Exclude<T[K], undefined>;
  }>;
}
