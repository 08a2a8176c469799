import { fail, handshakeResult, isErrResult, requireHeader, requireSecret, verified } from '../common';
import { anyMatches, decodeSignature, hmac, safeEqualText, sha256Hex } from '../crypto';
import type { WebhookScheme } from '../types';

/**
 * Twilio validates against the URL as configured, which may or may not spell the default port;
 * its own libraries try both forms (twilio-node `validateRequest`).
 */
export function twilioUrlVariants(url: string): string[] {
  const m = /^(https?):\/\/([^/?#]+)(.*)$/i.exec(url);
  if (m === null) return [url];
  const [, scheme = '', authority = '', rest = ''] = m;
  const defaultPort = scheme.toLowerCase() === 'https' ? '443' : '80';
  const portMatch = /^(.*):(\d+)$/.exec(authority);
  const variants = new Set<string>([url]);
  if (portMatch === null) variants.add(`${scheme}://${authority}:${defaultPort}${rest}`);
  else if (portMatch[2] === defaultPort) variants.add(`${scheme}://${portMatch[1] ?? ''}${rest}`);
  return [...variants];
}

/** Sorted `key+value` concatenation of form parameters; repeated keys sorted by value. */
export function twilioParamString(body: Buffer): string {
  const params = new URLSearchParams(body.toString('utf8'));
  const grouped = new Map<string, string[]>();
  for (const [k, v] of params) grouped.set(k, [...(grouped.get(k) ?? []), v]);
  let out = '';
  for (const key of [...grouped.keys()].sort()) {
    for (const v of (grouped.get(key) ?? []).sort()) out += key + v;
  }
  return out;
}

/** Twilio's JSON webhooks put the body's SHA-256 in the URL; this builds that URL for a simulator. */
export function twilioJsonUrl(url: string, body: Buffer | string): string {
  const hash = sha256Hex([typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
  return `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${hash}`;
}

function bodyShaParam(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('bodySHA256') ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Twilio: `X-Twilio-Signature` = base64 HMAC-SHA1 (auth token) over the full public URL followed
 * by the POSTed form parameters sorted by name. JSON bodies are not in the signature; instead the
 * URL carries `bodySHA256`, which must equal the body's hex SHA-256.
 */
export const twilioScheme: WebhookScheme = {
  id: 'twilio',
  displayName: 'Twilio',
  headers: ['x-twilio-signature', 'i-twilio-idempotency-token'],
  signsUrl: true,
  verify(request, context) {
    const secret = requireSecret('twilio', context);
    if (isErrResult(secret)) return secret;
    const sig = requireHeader('twilio', request, 'x-twilio-signature');
    if (isErrResult(sig)) return sig;
    const candidate = decodeSignature(sig, 'base64');
    if (candidate === undefined) return fail('twilio', 'malformed', 'x-twilio-signature');
    const bodySha = bodyShaParam(request.url);
    const params = bodySha === undefined ? twilioParamString(request.rawBody) : '';
    const expected = twilioUrlVariants(request.url).map((u) => hmac('sha1', secret, [u, params]));
    if (!anyMatches(expected, [candidate])) return fail('twilio', 'bad-signature');
    if (bodySha !== undefined && !safeEqualText(sha256Hex([request.rawBody]), bodySha.toLowerCase())) {
      return fail('twilio', 'bad-signature', 'bodySHA256');
    }
    return verified({ scheme: 'twilio', request, idHeader: 'i-twilio-idempotency-token', signature: sig });
  },
  sign(secret, input) {
    const params = bodyShaParam(input.url) === undefined ? twilioParamString(input.body) : '';
    const sig = hmac('sha1', secret, [input.url, params]).toString('base64');
    return {
      'x-twilio-signature': sig,
      ...(input.id !== undefined ? { 'i-twilio-idempotency-token': input.id } : {}),
    };
  },
};

/**
 * Trello: `X-Trello-Webhook` = base64 HMAC-SHA1 (application secret) over body + callbackURL
 * exactly as registered (the public URL). Trello's docs say the content is hashed as a Node
 * "binary" string (each UTF-16 unit truncated to a byte), so non-ASCII bodies are checked in that
 * form as well as in UTF-8.
 */
export const trelloScheme: WebhookScheme = {
  id: 'trello',
  displayName: 'Trello',
  headers: ['x-trello-webhook'],
  signsUrl: true,
  verify(request, context) {
    // Trello checks a callback URL with a HEAD before creating the webhook; it carries nothing.
    if (request.method.toUpperCase() === 'HEAD') {
      return handshakeResult('trello', request, { status: 200, body: '' });
    }
    const secret = requireSecret('trello', context);
    if (isErrResult(secret)) return secret;
    const sig = requireHeader('trello', request, 'x-trello-webhook');
    if (isErrResult(sig)) return sig;
    const candidate = decodeSignature(sig, 'base64');
    if (candidate === undefined) return fail('trello', 'malformed', 'x-trello-webhook');
    const text = request.rawBody.toString('utf8') + request.url;
    const expected = [
      hmac('sha1', secret, [request.rawBody, request.url]),
      hmac('sha1', secret, [Buffer.from(text, 'latin1')]),
    ];
    if (!anyMatches(expected, [candidate])) return fail('trello', 'bad-signature');
    return verified({ scheme: 'trello', request, bodyIdPath: ['action', 'id'], signature: sig });
  },
  sign(secret, input) {
    const text = input.body.toString('utf8') + input.url;
    return { 'x-trello-webhook': hmac('sha1', secret, [Buffer.from(text, 'latin1')]).toString('base64') };
  },
};
