import { createHash, randomBytes } from 'node:crypto';

import { z } from 'zod';

/**
 * API keys: 32 random bytes, shown once, stored as their SHA-256. A slow password hash (bcrypt,
 * scrypt) exists to stop guessing low-entropy passwords from a leaked hash; a 256-bit random key
 * cannot be guessed either way, and an unsalted digest lets authentication be one point read by
 * id instead of a scan plus ~100 ms of CPU per request.
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/**
 * What a caller may do. viewer reads; operator also runs and steers what exists (test a
 * connection, pause/resume, manual sync); admin also changes configuration, credentials and keys.
 */
export type Permission = 'read' | 'operate' | 'configure' | 'manage-keys';

const GRANTS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: ['read'],
  operator: ['read', 'operate'],
  admin: ['read', 'operate', 'configure', 'manage-keys'],
};

export function roleGrants(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** The lowest role that holds a permission, for error messages and the OpenAPI document. */
export function minimumRole(permission: Permission): Role {
  const found = ROLES.find((r) => roleGrants(r, permission));
  if (found === undefined) throw new Error(`no role grants ${permission}`);
  return found;
}

const KEY_PREFIX = 'sk_';
const KEY_PATTERN = /^sk_[A-Za-z0-9_-]{43}$/;

export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** A cheap shape check so garbage never costs a database read. */
export function looksLikeApiKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The part of a key shown in listings, enough to tell keys apart, useless to an attacker. */
export function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}

/** The api_keys container's document: id is the key's SHA-256 (partition key /id). */
export interface ApiKeyRecord {
  readonly id: string;
  readonly keyId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly role: Role;
  readonly prefix: string;
  readonly createdAt: string;
  readonly lastUsedAt?: string;
}

export const ApiKeyCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(100).default('api key'),
  role: RoleSchema,
});
export type ApiKeyCreate = z.infer<typeof ApiKeyCreateSchema>;

export const ApiKeyViewSchema = z.object({
  keyId: z.string(),
  tenantId: z.string(),
  name: z.string(),
  role: RoleSchema,
  prefix: z.string().describe('The first characters of the key, to tell keys apart.'),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().optional(),
});
export type ApiKeyView = z.infer<typeof ApiKeyViewSchema>;

export const ApiKeyCreatedSchema = ApiKeyViewSchema.extend({
  apiKey: z.string().describe('The key itself. Shown only in this response; store it now.'),
});
export type ApiKeyCreated = z.infer<typeof ApiKeyCreatedSchema>;

export function toApiKeyView(record: ApiKeyRecord): ApiKeyView {
  return {
    keyId: record.keyId,
    tenantId: record.tenantId,
    name: record.name,
    role: record.role,
    prefix: record.prefix,
    createdAt: record.createdAt,
    ...(record.lastUsedAt !== undefined ? { lastUsedAt: record.lastUsedAt } : {}),
  };
}
