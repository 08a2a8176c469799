import type { SecretClient } from '@azure/keyvault-secrets';

import type { SecretRef } from '../domain/integration';
import type { StoreOptions } from '../ports/documentStore';
import type { SecretStore, SetSecretOptions } from '../ports/secretStore';
import { SecretNotFoundError } from '../ports/secretStore';

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

export interface KeyVaultSecretStoreOptions {
  /** How long a read version stays in memory. A version's value never changes, so this only bounds how late a disable is noticed. */
  readonly cacheTtlMs?: number;
  readonly cacheMaxEntries?: number;
  readonly now?: () => number;
}

/**
 * SecretStore on Key Vault through SecretClient. Reads name an exact version, which makes them
 * safe to cache: the sync hot path reads the same credentials for every page and message.
 */
export class KeyVaultSecretStore implements SecretStore {
  private readonly cache = new Map<string, { value: string; expires: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly client: SecretClient,
    options: KeyVaultSecretStoreOptions = {},
  ) {
    this.ttlMs = options.cacheTtlMs ?? 5 * 60_000;
    this.maxEntries = options.cacheMaxEntries ?? 1000;
    this.now = options.now ?? Date.now;
  }

  async setSecret(name: string, value: string, options: SetSecretOptions = {}): Promise<SecretRef> {
    const secret = await this.client.setSecret(name, value, {
      contentType: 'text/plain',
      ...(options.tags !== undefined ? { tags: { ...options.tags } } : {}),
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    });
    const version = secret.properties.version;
    if (version === undefined) throw new Error(`Key Vault returned no version for ${name}`);
    return { name, version };
  }

  async getSecret(ref: SecretRef, options: StoreOptions = {}): Promise<string> {
    const key = `${ref.name}/${ref.version}`;
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.expires > this.now()) return cached.value;
    try {
      const secret = await this.client.getSecret(ref.name, {
        version: ref.version,
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      });
      if (secret.value === undefined) throw new SecretNotFoundError(ref.name);
      this.remember(key, secret.value);
      return secret.value;
    } catch (err) {
      // 403 is what Key Vault answers for a disabled version.
      const status = statusOf(err);
      if (status === 404 || status === 403) throw new SecretNotFoundError(ref.name);
      throw err;
    }
  }

  async disableSecretVersion(ref: SecretRef, options: StoreOptions = {}): Promise<void> {
    this.cache.delete(`${ref.name}/${ref.version}`);
    await this.client.updateSecretProperties(ref.name, ref.version, {
      enabled: false,
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    });
  }

  async deleteSecret(name: string, options: StoreOptions = {}): Promise<void> {
    for (const key of this.cache.keys()) if (key.startsWith(`${name}/`)) this.cache.delete(key);
    try {
      // The first poll sends the DELETE; waiting for the soft delete to settle buys nothing here.
      await this.client.beginDeleteSecret(
        name,
        options.abortSignal ? { abortSignal: options.abortSignal } : {},
      );
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  private remember(key: string, value: string): void {
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, { value, expires: this.now() + this.ttlMs });
  }
}
