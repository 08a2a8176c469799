import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64' | 'base64url';

export function hmac(
  algorithm: HmacAlgorithm,
  key: Buffer | string,
  parts: readonly (Buffer | string)[],
): Buffer {
  const h = createHmac(algorithm, key);
  for (const p of parts) h.update(p);
  return h.digest();
}

export function sha256Hex(parts: readonly (Buffer | string)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

export function encode(digest: Buffer, encoding: SignatureEncoding): string {
  return digest.toString(encoding);
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * Strictly decodes a received signature; undefined when it is not valid in the expected encoding
 * (Buffer.from would silently skip bad characters and compare garbage).
 */
export function decodeSignature(value: string, encoding: SignatureEncoding): Buffer | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  if (encoding === 'hex') return HEX.test(v) ? Buffer.from(v, 'hex') : undefined;
  if (encoding === 'base64') return BASE64.test(v) ? Buffer.from(v, 'base64') : undefined;
  return BASE64URL.test(v) ? Buffer.from(v.replace(/=+$/, ''), 'base64url') : undefined;
}

/**
 * True when any candidate equals the expected digest. Every candidate is compared (no early exit)
 * and only equal-length buffers reach timingSafeEqual, which throws otherwise.
 */
export function anyMatches(expected: readonly Buffer[], candidates: readonly Buffer[]): boolean {
  let matched = false;
  for (const c of candidates) {
    for (const e of expected) {
      if (c.length === e.length && timingSafeEqual(c, e)) matched = true;
    }
  }
  return matched;
}

/** Constant-time string equality for tokens that are compared as text (Twilio's bodySHA256). */
export function safeEqualText(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
