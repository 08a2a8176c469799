import { randomUUID } from 'node:crypto';

/**
 * Lock tokens travel two ways. Management requests carry them as AMQP uuids in RFC 4122 byte
 * order, while the delivery tag of a received message carries the .NET Guid byte layout (the
 * first three groups little-endian). The SDK reorders the tag when it reads it, so the broker
 * must write the tag in .NET order for both paths to name the same lock.
 */
export function newLockToken(): string {
  return randomUUID();
}

export function lockTokenToUuidBytes(token: string): Buffer {
  return Buffer.from(token.replace(/-/g, ''), 'hex');
}

export function uuidBytesToLockToken(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Swaps the first three groups; the operation is its own inverse. */
export function toDotNetGuidOrder(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  out[0] = bytes[3] ?? 0;
  out[1] = bytes[2] ?? 0;
  out[2] = bytes[1] ?? 0;
  out[3] = bytes[0] ?? 0;
  out[4] = bytes[5] ?? 0;
  out[5] = bytes[4] ?? 0;
  out[6] = bytes[7] ?? 0;
  out[7] = bytes[6] ?? 0;
  return out;
}

export function lockTokenToDeliveryTag(token: string): Buffer {
  return toDotNetGuidOrder(lockTokenToUuidBytes(token));
}
