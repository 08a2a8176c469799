import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a verified SAS token grants: the entity path prefix it was signed for. */
export interface SasGrant {
  /** Path below the namespace ('' = the whole namespace), without leading or trailing slash. */
  readonly path: string;
  readonly expiresAtMs: number;
}

export type SasVerdict = { ok: true; grant: SasGrant } | { ok: false; reason: string };

/**
 * Verifies a `SharedAccessSignature sr=…&sig=…&se=…&skn=…` token the way the namespace does:
 * HMAC-SHA256 over `<url-encoded sr>\n<se>` with the named key, not expired.
 */
export function verifySasToken(token: string, keyName: string, key: string, nowMs: number): SasVerdict {
  const prefix = 'SharedAccessSignature ';
  if (!token.startsWith(prefix)) return { ok: false, reason: 'not a shared access signature' };
  const fields = new Map<string, string>();
  for (const part of token.slice(prefix.length).split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const sr = fields.get('sr');
  const sig = fields.get('sig');
  const se = fields.get('se');
  const skn = fields.get('skn');
  if (sr === undefined || sig === undefined || se === undefined || skn === undefined) {
    return { ok: false, reason: 'the token lacks sr, sig, se or skn' };
  }
  if (decodeURIComponent(skn) !== keyName) return { ok: false, reason: 'unknown key name' };
  const expected = createHmac('sha256', key).update(`${sr}\n${se}`).digest();
  const given = Buffer.from(decodeURIComponent(sig), 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'the signature does not match' };
  }
  const expiresAtMs = Number(se) * 1000;
  if (!Number.isFinite(expiresAtMs) || expiresAtMs <= nowMs)
    return { ok: false, reason: 'the token has expired' };
  return { ok: true, grant: { path: audiencePath(decodeURIComponent(sr)), expiresAtMs } };
}

/**
 * Reduces an audience (`sb://host:port/queue/$management`) to its path. The host is ignored on
 * purpose: clients reach the emulator as 127.0.0.1 or localhost interchangeably.
 */
export function audiencePath(audience: string): string {
  const withoutScheme = audience.replace(/^[a-z]+:\/\//i, '');
  const slash = withoutScheme.indexOf('/');
  const path = slash < 0 ? '' : withoutScheme.slice(slash + 1);
  return path.replace(/^\/+|\/+$/g, '').toLowerCase();
}

/** True when a grant for `grantPath` covers `entityPath` (same path or a parent of it). */
export function grantCovers(grantPath: string, entityPath: string): boolean {
  const p = entityPath.toLowerCase();
  return grantPath === '' || p === grantPath || p.startsWith(`${grantPath}/`);
}
