import type { SecretRef } from '../domain/integration';
import type { StoreOptions } from './documentStore';

export interface SetSecretOptions extends StoreOptions {
  /** Secret-free labels (tenant id, connection id) that help an operator find a secret. */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Secret values (Key Vault in Azure and locally). Every write makes a new version; readers ask
 * for the exact version a document names, so a rotation never changes what in-flight work reads.
 */
export interface SecretStore {
  setSecret(name: string, value: string, options?: SetSecretOptions): Promise<SecretRef>;
  /** Throws SecretNotFoundError when the name or version does not exist (or is disabled). */
  getSecret(ref: SecretRef, options?: StoreOptions): Promise<string>;
  /** Makes a version unreadable (a rotation whose new value failed its test). */
  disableSecretVersion(ref: SecretRef, options?: StoreOptions): Promise<void>;
  /** Removes a secret with all its versions; succeeds when it is already gone. */
  deleteSecret(name: string, options?: StoreOptions): Promise<void>;
}

export class SecretNotFoundError extends Error {
  override readonly name = 'SecretNotFoundError';
  constructor(readonly secretName: string) {
    super(`secret ${secretName} not found`);
  }
}
