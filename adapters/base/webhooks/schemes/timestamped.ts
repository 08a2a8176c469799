import {
  fail,
  isErrResult,
  isStale,
  parseJsonObject,
  parseUnixTimestamp,
  requireHeader,
  requireSecret,
  seconds,
  verified,
} from '../common';
import { anyMatches, decodeSignature, hmac } from '../crypto';
import type { WebhookScheme } from '../types';

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=…]`, HMAC-SHA256 keyed with the
 * whole `whsec_…` string over `{t}.{body}`. Stripe re-signs every retry with a fresh `t`, so the
 * dedup key is the event id from the body (`evt_…`).
 */
export const stripeScheme: WebhookScheme = {
  id: 'stripe',
  displayName: 'Stripe',
  headers: ['stripe-signature'],
  signsUrl: false,
  verify(request, context) {
    const secret = requireSecret('stripe', context);
    if (isErrResult(secret)) return secret;
    const header = requireHeader('stripe', request, 'stripe-signature');
    if (isErrResult(header)) return header;
    let tsText: string | undefined;
    const candidates: Buffer[] = [];
    for (const item of header.split(',')) {
      const eq = item.indexOf('=');
      if (eq < 0) continue;
      const key = item.slice(0, eq).trim();
      const value = item.slice(eq + 1).trim();
      if (key === 't') tsText = value;
      else if (key === 'v1') {
        const decoded = decodeSignature(value, 'hex');
        if (decoded !== undefined) candidates.push(decoded);
      }
    }
    const ts = tsText !== undefined ? parseUnixTimestamp(tsText) : undefined;
    if (tsText === undefined || ts === undefined || candidates.length === 0) {
      return fail('stripe', 'malformed', 'stripe-signature');
    }
    const expected = hmac('sha256', secret, [`${tsText}.`, request.rawBody]);
    if (!anyMatches([expected], candidates)) return fail('stripe', 'bad-signature');
    if (isStale(ts, request.nowMs, context.toleranceSec)) return fail('stripe', 'stale');
    return verified({
      scheme: 'stripe',
      request,
      bodyIdPath: ['id'],
      signature: header,
      timestamp: ts,
      timestampText: tsText,
    });
  },
  sign(secret, input) {
    const t = String(seconds(input.nowMs));
    const v1 = hmac('sha256', secret, [`${t}.`, input.body]).toString('hex');
    return { 'stripe-signature': `t=${t},v1=${v1}` };
  },
};

/** Slack and Zoom share the construction: `v0=` + hex HMAC-SHA256 over `v0:{ts}:{body}`. */
function verifyV0(
  id: 'slack' | 'zoom',
  sigHeader: string,
  tsHeader: string,
): Pick<WebhookScheme, 'verify'>['verify'] {
  return (request, context) => {
    const secret = requireSecret(id, context);
    if (isErrResult(secret)) return secret;
    const sig = requireHeader(id, request, sigHeader);
    if (isErrResult(sig)) return sig;
    const tsText = requireHeader(id, request, tsHeader);
    if (isErrResult(tsText)) return tsText;
    const ts = parseUnixTimestamp(tsText);
    if (ts === undefined) return fail(id, 'malformed', tsHeader);
    const candidates: Buffer[] = [];
    for (const part of sig.split(',')) {
      const p = part.trim();
      if (!p.startsWith('v0=')) continue;
      const decoded = decodeSignature(p.slice(3), 'hex');
      if (decoded !== undefined) candidates.push(decoded);
    }
    if (candidates.length === 0) return fail(id, 'malformed', sigHeader);
    const expected = hmac('sha256', secret, [`v0:${tsText}:`, request.rawBody]);
    if (!anyMatches([expected], candidates)) return fail(id, 'bad-signature');
    if (isStale(ts, request.nowMs, context.toleranceSec)) return fail(id, 'stale');

    const body = parseJsonObject(request.rawBody);
    if (id === 'slack' && body?.['type'] === 'url_verification' && typeof body['challenge'] === 'string') {
      return verified({
        scheme: id,
        request,
        signature: sig,
        timestamp: ts,
        timestampText: tsText,
        handshake: { status: 200, headers: { 'content-type': 'text/plain' }, body: body['challenge'] },
      });
    }
    if (id === 'zoom' && body?.['event'] === 'endpoint.url_validation') {
      const payload = body['payload'];
      const plainToken =
        typeof payload === 'object' && payload !== null
          ? (payload as Record<string, unknown>)['plainToken']
          : undefined;
      if (typeof plainToken !== 'string' || plainToken === '')
        return fail(id, 'malformed', 'payload.plainToken');
      // Only answered after the signature check: the response is an HMAC of caller-chosen text
      // under our secret, which would otherwise be a signing oracle for forged events.
      const encryptedToken = hmac('sha256', secret, [plainToken]).toString('hex');
      return verified({
        scheme: id,
        request,
        signature: sig,
        timestamp: ts,
        timestampText: tsText,
        handshake: {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ plainToken, encryptedToken }),
        },
      });
    }
    return verified({
      scheme: id,
      request,
      ...(id === 'slack' ? { bodyIdPath: ['event_id'] } : {}),
      signature: sig,
      timestamp: ts,
      timestampText: tsText,
    });
  };
}

/** What Slack and Zoom send: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`. */
function signV0(signatureHeader: string, timestampHeader: string): WebhookScheme['sign'] {
  return (secret, input) => {
    const ts = String(seconds(input.nowMs));
    const sig = hmac('sha256', secret, [`v0:${ts}:`, input.body]).toString('hex');
    return { [signatureHeader]: `v0=${sig}`, [timestampHeader]: ts };
  };
}

export const slackScheme: WebhookScheme = {
  id: 'slack',
  displayName: 'Slack',
  headers: ['x-slack-signature', 'x-slack-request-timestamp'],
  signsUrl: false,
  verify: verifyV0('slack', 'x-slack-signature', 'x-slack-request-timestamp'),
  sign: signV0('x-slack-signature', 'x-slack-request-timestamp'),
};

export const zoomScheme: WebhookScheme = {
  id: 'zoom',
  displayName: 'Zoom',
  headers: ['x-zm-signature', 'x-zm-request-timestamp'],
  signsUrl: false,
  verify: verifyV0('zoom', 'x-zm-signature', 'x-zm-request-timestamp'),
  sign: signV0('x-zm-signature', 'x-zm-request-timestamp'),
};

/**
 * HubSpot decodes these percent-escapes in the URI before signing (developers.hubspot.com,
 * "Validating requests", v3); the rest stay encoded.
 */
const HUBSPOT_DECODE: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function hubspotCanonicalUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => HUBSPOT_DECODE[m.toUpperCase()] ?? m);
}

/**
 * HubSpot v3: `X-HubSpot-Signature-v3` = base64 HMAC-SHA256 (app client secret) over
 * method + URI + body + `X-HubSpot-Request-Timestamp` (epoch ms). The URI is the public URL.
 */
export const hubspotV3Scheme: WebhookScheme = {
  id: 'hubspot-v3',
  displayName: 'HubSpot (signature v3)',
  headers: ['x-hubspot-signature-v3', 'x-hubspot-request-timestamp'],
  signsUrl: true,
  verify(request, context) {
    const secret = requireSecret('hubspot-v3', context);
    if (isErrResult(secret)) return secret;
    const sig = requireHeader('hubspot-v3', request, 'x-hubspot-signature-v3');
    if (isErrResult(sig)) return sig;
    const tsText = requireHeader('hubspot-v3', request, 'x-hubspot-request-timestamp');
    if (isErrResult(tsText)) return tsText;
    const ts = parseUnixTimestamp(tsText);
    if (ts === undefined) return fail('hubspot-v3', 'malformed', 'x-hubspot-request-timestamp');
    const candidates = sig
      .split(',')
      .map((s) => decodeSignature(s, 'base64'))
      .filter((b): b is Buffer => b !== undefined);
    if (candidates.length === 0) return fail('hubspot-v3', 'malformed', 'x-hubspot-signature-v3');
    const expected = hmac('sha256', secret, [
      request.method.toUpperCase(),
      hubspotCanonicalUri(request.url),
      request.rawBody,
      tsText,
    ]);
    if (!anyMatches([expected], candidates)) return fail('hubspot-v3', 'bad-signature');
    if (isStale(ts, request.nowMs, context.toleranceSec)) return fail('hubspot-v3', 'stale');
    return verified({ scheme: 'hubspot-v3', request, signature: sig, timestamp: ts, timestampText: tsText });
  },
  sign(secret, input) {
    const ts = String(Math.floor(input.nowMs));
    const sig = hmac('sha256', secret, [
      input.method.toUpperCase(),
      hubspotCanonicalUri(input.url),
      input.body,
      ts,
    ]);
    return { 'x-hubspot-signature-v3': sig.toString('base64'), 'x-hubspot-request-timestamp': ts };
  },
};
