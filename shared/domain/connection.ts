import { z } from 'zod';

import { quoteEtag } from './etag';
import type { SecretRef } from './integration';

/**
 * A connection: how to reach and authenticate to one provider account. Secret values (API keys,
 * passwords, tokens, client secrets) only ever travel from the request to the secret store and
 * from the secret store to an adapter; the integration_connections document holds their names
 * and versions.
 */

export const AuthTypeSchema = z.enum(['API_KEY', 'OAUTH2', 'BASIC', 'BEARER']);
export type AuthType = z.infer<typeof AuthTypeSchema>;

const secret = (what: string) => z.string().min(1, `${what} must not be empty`).max(8192);

export const ApiKeyPlacementSchema = z.strictObject({
  in: z.enum(['header', 'query']).default('header'),
  name: z.string().min(1).max(100).default('X-API-Key'),
  /** Text before the key in a header, e.g. `Token `. */
  prefix: z.string().max(50).optional(),
});

const ApiKeyAuthSchema = z.strictObject({
  type: z.literal('API_KEY'),
  apiKey: secret('apiKey'),
  placement: ApiKeyPlacementSchema.default({ in: 'header', name: 'X-API-Key' }),
});
const BasicAuthSchema = z.strictObject({
  type: z.literal('BASIC'),
  username: z.string().min(1).max(500),
  password: secret('password'),
});
const BearerAuthSchema = z.strictObject({
  type: z.literal('BEARER'),
  token: secret('token'),
});
const OAuth2AuthSchema = z.strictObject({
  type: z.literal('OAUTH2'),
  grantType: z.enum(['authorization_code', 'client_credentials']).default('authorization_code'),
  clientId: z.string().min(1).max(500),
  clientSecret: secret('clientSecret'),
  tokenUrl: z.url(),
  authorizeUrl: z.url().optional(),
  scopes: z.array(z.string().min(1).max(200)).max(100).default([]),
  accessToken: secret('accessToken').optional(),
  refreshToken: secret('refreshToken').optional(),
  expiresAt: z.iso.datetime().optional().describe('When accessToken expires'),
});

export const AuthInputSchema = z.discriminatedUnion('type', [
  ApiKeyAuthSchema,
  BasicAuthSchema,
  BearerAuthSchema,
  OAuth2AuthSchema,
]);
export type AuthInput = z.infer<typeof AuthInputSchema>;

/** The secret fields of each auth type; everything else about the auth is stored in Cosmos. */
export const SECRET_FIELDS = {
  API_KEY: ['apiKey'],
  BASIC: ['password'],
  BEARER: ['token'],
  OAUTH2: ['clientSecret', 'accessToken', 'refreshToken'],
} as const satisfies Record<AuthType, readonly string[]>;
export type SecretField = (typeof SECRET_FIELDS)[AuthType][number];

export const ConnectionNameSchema = z.string().trim().min(1).max(100);
const ParamsSchema = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/), z.string().max(500))
  .describe('Values for the provider base URL placeholders, e.g. {"site": "example.com"}');

export const ConnectionCreateSchema = z.strictObject({
  name: ConnectionNameSchema,
  provider: z.string().min(1).max(64),
  scope: z.enum(['tenant', 'user']).default('tenant'),
  userId: z.string().min(1).max(200).optional().describe('Required when scope is user'),
  baseUrl: z
    .url()
    .optional()
    .describe("Overrides the provider's base URL (required for the generic rest provider)"),
  params: ParamsSchema.optional(),
  auth: AuthInputSchema,
});
export type ConnectionCreate = z.infer<typeof ConnectionCreateSchema>;

export const ConnectionPatchSchema = z.strictObject({
  name: ConnectionNameSchema.optional(),
  baseUrl: z.url().nullable().optional(),
  params: ParamsSchema.nullable().optional(),
});
export type ConnectionPatch = z.infer<typeof ConnectionPatchSchema>;

/** New secret values for a rotation; the auth type cannot change (create a new connection). */
export const ConnectionRotateSchema = z.strictObject({
  auth: z.discriminatedUnion('type', [
    ApiKeyAuthSchema.pick({ type: true, apiKey: true }),
    BasicAuthSchema.pick({ type: true, password: true }).extend({
      username: z.string().min(1).max(500).optional(),
    }),
    BearerAuthSchema,
    z.strictObject({
      type: z.literal('OAUTH2'),
      clientSecret: secret('clientSecret').optional(),
      accessToken: secret('accessToken').optional(),
      refreshToken: secret('refreshToken').optional(),
      expiresAt: z.iso.datetime().optional(),
    }),
  ]),
  verify: z
    .boolean()
    .default(true)
    .describe('Prove the new credentials against the provider before switching to them'),
});
export type ConnectionRotate = z.infer<typeof ConnectionRotateSchema>;

/** Non-secret auth settings kept in Cosmos. */
export type StoredAuth =
  | { readonly type: 'API_KEY'; readonly placement: z.infer<typeof ApiKeyPlacementSchema> }
  | { readonly type: 'BASIC'; readonly username: string }
  | { readonly type: 'BEARER' }
  | {
      readonly type: 'OAUTH2';
      readonly grantType: 'authorization_code' | 'client_credentials';
      readonly clientId: string;
      readonly tokenUrl: string;
      readonly authorizeUrl?: string;
      readonly scopes: readonly string[];
      readonly expiresAt?: string;
    };

export interface StoredSecret extends SecretRef {
  /** The version in use before the last rotation; kept (enabled) so in-flight work still authenticates. */
  readonly previousVersion?: string;
  readonly updatedAt: string;
}

/** The integration_connections document (partition key /tenantId, unique /name per tenant). */
export interface ConnectionDocument {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly provider: string;
  readonly scope: 'tenant' | 'user';
  readonly userId?: string;
  readonly baseUrl?: string;
  readonly params?: Record<string, string>;
  readonly authType: AuthType;
  readonly auth: StoredAuth;
  readonly secrets: Partial<Record<SecretField, StoredSecret>>;
  readonly lastTest?: { readonly at: string; readonly ok: boolean; readonly status?: number };
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Credentials with their secret values, as an adapter needs them. Never log or return these. */
export type Credentials =
  | {
      readonly type: 'API_KEY';
      readonly apiKey: string;
      readonly placement: z.infer<typeof ApiKeyPlacementSchema>;
    }
  | { readonly type: 'BASIC'; readonly username: string; readonly password: string }
  | { readonly type: 'BEARER'; readonly token: string }
  | {
      readonly type: 'OAUTH2';
      readonly grantType: 'authorization_code' | 'client_credentials';
      readonly clientId: string;
      readonly clientSecret: string;
      readonly tokenUrl: string;
      readonly scopes: readonly string[];
      readonly accessToken?: string;
      readonly refreshToken?: string;
      readonly expiresAt?: string;
    };

/** Splits validated auth input into what Cosmos stores and the secret values for the vault. */
export function splitAuth(auth: AuthInput): {
  stored: StoredAuth;
  secrets: Partial<Record<SecretField, string>>;
} {
  switch (auth.type) {
    case 'API_KEY':
      return { stored: { type: 'API_KEY', placement: auth.placement }, secrets: { apiKey: auth.apiKey } };
    case 'BASIC':
      return { stored: { type: 'BASIC', username: auth.username }, secrets: { password: auth.password } };
    case 'BEARER':
      return { stored: { type: 'BEARER' }, secrets: { token: auth.token } };
    case 'OAUTH2': {
      const secrets: Partial<Record<SecretField, string>> = { clientSecret: auth.clientSecret };
      if (auth.accessToken !== undefined) secrets.accessToken = auth.accessToken;
      if (auth.refreshToken !== undefined) secrets.refreshToken = auth.refreshToken;
      return {
        stored: {
          type: 'OAUTH2',
          grantType: auth.grantType,
          clientId: auth.clientId,
          tokenUrl: auth.tokenUrl,
          scopes: auth.scopes,
          ...(auth.authorizeUrl !== undefined ? { authorizeUrl: auth.authorizeUrl } : {}),
          ...(auth.expiresAt !== undefined ? { expiresAt: auth.expiresAt } : {}),
        },
        secrets,
      };
    }
  }
}

/** Joins stored auth settings and secret values back into credentials. */
export function joinCredentials(
  auth: StoredAuth,
  values: Partial<Record<SecretField, string>>,
): Credentials | undefined {
  switch (auth.type) {
    case 'API_KEY':
      return values.apiKey === undefined
        ? undefined
        : { type: 'API_KEY', apiKey: values.apiKey, placement: auth.placement };
    case 'BASIC':
      return values.password === undefined
        ? undefined
        : { type: 'BASIC', username: auth.username, password: values.password };
    case 'BEARER':
      return values.token === undefined ? undefined : { type: 'BEARER', token: values.token };
    case 'OAUTH2':
      return values.clientSecret === undefined
        ? undefined
        : {
            type: 'OAUTH2',
            grantType: auth.grantType,
            clientId: auth.clientId,
            clientSecret: values.clientSecret,
            tokenUrl: auth.tokenUrl,
            scopes: auth.scopes,
            ...(values.accessToken !== undefined ? { accessToken: values.accessToken } : {}),
            ...(values.refreshToken !== undefined ? { refreshToken: values.refreshToken } : {}),
            ...(auth.expiresAt !== undefined ? { expiresAt: auth.expiresAt } : {}),
          };
  }
}

const StoredSecretViewSchema = z.object({
  version: z.string(),
  previousVersion: z.string().optional(),
  updatedAt: z.iso.datetime(),
});

export const ConnectionViewSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  provider: z.string(),
  scope: z.enum(['tenant', 'user']),
  userId: z.string().optional(),
  baseUrl: z.string().optional(),
  params: z.record(z.string(), z.string()).optional(),
  authType: AuthTypeSchema,
  auth: z
    .record(z.string(), z.unknown())
    .describe('Non-secret auth settings (username, clientId, tokenUrl, scopes, placement, expiresAt)'),
  secrets: z
    .record(z.string(), StoredSecretViewSchema)
    .describe('Which secret fields are set, with their vault versions; never the values'),
  lastTest: z
    .object({ at: z.iso.datetime(), ok: z.boolean(), status: z.number().int().optional() })
    .optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  etag: z.string(),
});
export type ConnectionView = z.infer<typeof ConnectionViewSchema>;

export function toConnectionView(doc: ConnectionDocument, etag: string): ConnectionView {
  const secrets: ConnectionView['secrets'] = {};
  for (const [field, ref] of Object.entries(doc.secrets)) {
    secrets[field] = {
      version: ref.version,
      updatedAt: ref.updatedAt,
      ...(ref.previousVersion !== undefined ? { previousVersion: ref.previousVersion } : {}),
    };
  }
  return {
    id: doc.id,
    tenantId: doc.tenantId,
    name: doc.name,
    provider: doc.provider,
    scope: doc.scope,
    ...(doc.userId !== undefined ? { userId: doc.userId } : {}),
    ...(doc.baseUrl !== undefined ? { baseUrl: doc.baseUrl } : {}),
    ...(doc.params !== undefined ? { params: doc.params } : {}),
    authType: doc.authType,
    auth: { ...doc.auth },
    secrets,
    ...(doc.lastTest !== undefined ? { lastTest: doc.lastTest } : {}),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    etag: quoteEtag(etag),
  };
}

/** Key Vault names allow letters, digits and dashes; a connection id and field name fit. */
export function connectionSecretName(connectionId: string, field: SecretField): string {
  return `${connectionId.replace(/_/g, '-')}-${field.toLowerCase()}`;
}

export function webhookSecretName(integrationId: string): string {
  return `${integrationId.replace(/_/g, '-')}-webhook`;
}
