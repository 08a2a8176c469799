import { randomBytes } from 'node:crypto';

/**
 * Ids the admin API hands out. They are random, URL- and Key Vault-name-safe (lowercase letters
 * and digits), and an integration id carries its tenant: the webhook URL
 * `/webhooks/{provider}/{integrationId}` has no tenant in it, and the receiver must still find
 * the integration with one point read in its tenant's partition instead of a cross-partition query.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const RANDOM_LENGTH = 16;

/** `length` characters from ALPHABET; rejection sampling keeps every character equally likely. */
export function randomId(length = RANDOM_LENGTH): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 252 = 7 × 36: bytes at or above it would bias the first characters.
      if (byte < 252 && out.length < length) out += ALPHABET.charAt(byte % ALPHABET.length);
    }
  }
  return out;
}

const PART = `[a-z0-9]{${RANDOM_LENGTH}}`;
export const TENANT_ID_PATTERN = new RegExp(`^ten_${PART}$`);
export const INTEGRATION_ID_PATTERN = new RegExp(`^int_${PART}_${PART}$`);
export const CONNECTION_ID_PATTERN = new RegExp(`^con_${PART}$`);
export const API_KEY_ID_PATTERN = new RegExp(`^key_${PART}$`);

export function newTenantId(): string {
  return `ten_${randomId()}`;
}

export function newIntegrationId(tenantId: string): string {
  if (!TENANT_ID_PATTERN.test(tenantId)) throw new Error('newIntegrationId: not a tenant id');
  return `int_${randomId()}_${tenantId.slice('ten_'.length)}`;
}

/** The tenant an integration id belongs to, or undefined when the id is not one of ours. */
export function tenantIdOfIntegration(integrationId: string): string | undefined {
  if (!INTEGRATION_ID_PATTERN.test(integrationId)) return undefined;
  return `ten_${integrationId.slice(-RANDOM_LENGTH)}`;
}

export function newConnectionId(): string {
  return `con_${randomId()}`;
}

export function newApiKeyId(): string {
  return `key_${randomId()}`;
}
