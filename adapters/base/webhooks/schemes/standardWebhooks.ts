import {
  defaultSignId,
  fail,
  isErrResult,
  isStale,
  parseUnixTimestamp,
  requireHeader,
  requireSecret,
  seconds,
  verified,
} from '../common';
import { anyMatches, decodeSignature, hmac } from '../crypto';
import type { WebhookScheme } from '../types';

/**
 * Standard Webhooks (standardwebhooks.com) and Svix, which it was extracted from: the same
 * algorithm under `webhook-*` or `svix-*` headers.
 * - secret: `whsec_` + base64 key (the prefix is optional); the HMAC key is the decoded bytes
 * - signed content: `{id}.{timestamp}.{body}`, HMAC-SHA256, base64
 * - `*-signature`: space-separated `v1,<base64>` entries (several during key rotation; other
 *   versions such as the asymmetric `v1a` are ignored)
 */
function decodeKey(secret: string): Buffer | undefined {
  const raw = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = decodeSignature(raw, 'base64');
  return key !== undefined && key.length > 0 ? key : undefined;
}

function createStandardScheme(id: 'standard-webhooks' | 'svix', prefix: 'webhook' | 'svix'): WebhookScheme {
  const idHeader = `${prefix}-id`;
  const tsHeader = `${prefix}-timestamp`;
  const sigHeader = `${prefix}-signature`;
  return {
    id,
    displayName: id === 'svix' ? 'Svix' : 'Standard Webhooks',
    headers: [idHeader, tsHeader, sigHeader],
    signsUrl: false,
    verify(request, context) {
      const secret = requireSecret(id, context);
      if (isErrResult(secret)) return secret;
      const key = decodeKey(secret);
      if (key === undefined) return fail(id, 'config-invalid', 'secret is not whsec_<base64>');
      const msgId = requireHeader(id, request, idHeader);
      if (isErrResult(msgId)) return msgId;
      const tsText = requireHeader(id, request, tsHeader);
      if (isErrResult(tsText)) return tsText;
      const sigText = requireHeader(id, request, sigHeader);
      if (isErrResult(sigText)) return sigText;
      const ts = parseUnixTimestamp(tsText);
      if (ts === undefined) return fail(id, 'malformed', tsHeader);
      const candidates: Buffer[] = [];
      for (const entry of sigText.split(' ')) {
        const comma = entry.indexOf(',');
        if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
        const decoded = decodeSignature(entry.slice(comma + 1), 'base64');
        if (decoded !== undefined) candidates.push(decoded);
      }
      if (candidates.length === 0) return fail(id, 'malformed', sigHeader);
      const expected = hmac('sha256', key, [`${msgId}.${tsText}.`, request.rawBody]);
      if (!anyMatches([expected], candidates)) return fail(id, 'bad-signature');
      if (isStale(ts, request.nowMs, context.toleranceSec)) return fail(id, 'stale');
      return verified({
        scheme: id,
        request,
        idHeader,
        signature: sigText,
        timestamp: ts,
        timestampText: tsText,
      });
    },
    sign(secret, input) {
      const key = decodeKey(secret);
      if (key === undefined) throw new Error(`${id}: secret must be whsec_<base64>`);
      const ts = String(seconds(input.nowMs));
      const msgId = input.id ?? defaultSignId('msg_', input.body, input.nowMs);
      const sig = hmac('sha256', key, [`${msgId}.${ts}.`, input.body]).toString('base64');
      return { [idHeader]: msgId, [tsHeader]: ts, [sigHeader]: `v1,${sig}` };
    },
  };
}

export const standardWebhooksScheme = createStandardScheme('standard-webhooks', 'webhook');
export const svixScheme = createStandardScheme('svix', 'svix');
