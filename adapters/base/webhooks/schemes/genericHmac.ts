import { z } from 'zod';

import {
  defaultSignId,
  fail,
  isErrResult,
  isStale,
  parseUnixTimestamp,
  requireHeader,
  requireSecret,
  verified,
} from '../common';
import { anyMatches, decodeSignature, hmac } from '../crypto';
import type { NormalizedWebhookRequest, WebhookScheme } from '../types';

const PLACEHOLDER = /\{(body|timestamp|url|method|id)\}/g;

/** Configuration of the generic `hmac` scheme, for any provider that signs with a shared secret. */
export const HmacSchemeConfigSchema = z
  .object({
    /** Header that carries the signature, e.g. `X-Signature`. */
    header: z.string().min(1),
    algorithm: z.enum(['sha1', 'sha256', 'sha512']).default('sha256'),
    encoding: z.enum(['hex', 'base64', 'base64url']).default('hex'),
    /** Text before the digest in the header, e.g. `sha256=`. */
    prefix: z.string().default(''),
    /** Several signatures in one header are split on this (e.g. `,` or ` `) during key rotation. */
    separator: z.string().min(1).optional(),
    /** What is signed; `{body}` is the raw bytes. Other placeholders: {timestamp} {url} {method} {id}. */
    signedContent: z.string().default('{body}'),
    timestampHeader: z.string().min(1).optional(),
    timestampUnit: z.enum(['s', 'ms']).default('s'),
    /** Overrides the binding's tolerance (seconds either way). */
    toleranceSec: z.number().int().positive().max(86_400).optional(),
    idHeader: z.string().min(1).optional(),
    /** How the configured secret turns into HMAC key bytes. */
    secretEncoding: z.enum(['utf8', 'base64', 'hex']).default('utf8'),
  })
  .superRefine((c, ctx) => {
    // A template without {body} would let any payload through under a valid signature.
    if (!c.signedContent.includes('{body}')) {
      ctx.addIssue({ code: 'custom', path: ['signedContent'], message: 'must contain {body}' });
    }
    if (c.signedContent.includes('{timestamp}') && c.timestampHeader === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['timestampHeader'],
        message: '{timestamp} needs timestampHeader',
      });
    }
    if (c.signedContent.includes('{id}') && c.idHeader === undefined) {
      ctx.addIssue({ code: 'custom', path: ['idHeader'], message: '{id} needs idHeader' });
    }
  });
export type HmacSchemeConfig = z.infer<typeof HmacSchemeConfigSchema>;
export type HmacSchemeConfigInput = z.input<typeof HmacSchemeConfigSchema>;

interface TemplateValues {
  readonly body: Buffer;
  readonly timestamp: string;
  readonly url: string;
  readonly method: string;
  readonly id: string;
}

/** Expands the template into byte chunks, keeping the body as the raw bytes it arrived as. */
export function renderSignedContent(template: string, values: TemplateValues): (Buffer | string)[] {
  const parts: (Buffer | string)[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const index = m.index;
    if (index > last) parts.push(template.slice(last, index));
    const name = m[1] as keyof TemplateValues;
    parts.push(values[name]);
    last = index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

function keyBytes(secret: string, encoding: HmacSchemeConfig['secretEncoding']): Buffer | undefined {
  if (encoding === 'utf8') return Buffer.from(secret, 'utf8');
  const decoded = decodeSignature(secret, encoding);
  return decoded !== undefined && decoded.length > 0 ? decoded : undefined;
}

export function parseHmacConfig(config: unknown): HmacSchemeConfig | undefined {
  const parsed = HmacSchemeConfigSchema.safeParse(config);
  return parsed.success ? parsed.data : undefined;
}

function timestampOf(request: NormalizedWebhookRequest, c: HmacSchemeConfig): string | undefined {
  return c.timestampHeader !== undefined ? request.headers.get(c.timestampHeader)?.trim() : undefined;
}

export const genericHmacScheme: WebhookScheme = {
  id: 'hmac',
  displayName: 'Generic HMAC (configurable)',
  headers: [],
  signsUrl: false,
  verify(request, context) {
    const c = parseHmacConfig(context.config);
    if (c === undefined) return fail('hmac', 'config-invalid');
    const secret = requireSecret('hmac', context);
    if (isErrResult(secret)) return secret;
    const key = keyBytes(secret, c.secretEncoding);
    if (key === undefined) return fail('hmac', 'config-invalid', 'secret encoding');
    const header = requireHeader('hmac', request, c.header);
    if (isErrResult(header)) return header;

    let tsText = '';
    let ts: number | undefined;
    if (c.timestampHeader !== undefined) {
      const t = requireHeader('hmac', request, c.timestampHeader);
      if (isErrResult(t)) return t;
      ts = parseUnixTimestamp(t);
      if (ts === undefined) return fail('hmac', 'malformed', c.timestampHeader);
      tsText = t;
    }
    let id = '';
    if (c.idHeader !== undefined && c.signedContent.includes('{id}')) {
      const i = requireHeader('hmac', request, c.idHeader);
      if (isErrResult(i)) return i;
      id = i;
    }

    const pieces = c.separator !== undefined ? header.split(c.separator) : [header];
    const candidates: Buffer[] = [];
    for (const piece of pieces) {
      const p = piece.trim();
      if (!p.startsWith(c.prefix)) continue;
      const decoded = decodeSignature(p.slice(c.prefix.length), c.encoding);
      if (decoded !== undefined) candidates.push(decoded);
    }
    if (candidates.length === 0) return fail('hmac', 'malformed', c.header);
    const content = renderSignedContent(c.signedContent, {
      body: request.rawBody,
      timestamp: tsText,
      url: request.url,
      method: request.method.toUpperCase(),
      id,
    });
    const expected = hmac(c.algorithm, key, content);
    if (!anyMatches([expected], candidates)) return fail('hmac', 'bad-signature');
    if (ts !== undefined && isStale(ts, request.nowMs, c.toleranceSec ?? context.toleranceSec)) {
      return fail('hmac', 'stale');
    }
    return verified({
      scheme: 'hmac',
      request,
      ...(c.idHeader !== undefined ? { idHeader: c.idHeader } : {}),
      signature: header,
      ...(ts !== undefined ? { timestamp: ts } : {}),
      timestampText: timestampOf(request, c) ?? '',
    });
  },
  sign(secret, input) {
    const c = parseHmacConfig(input.config);
    if (c === undefined) throw new Error('hmac: invalid or missing config');
    const key = keyBytes(secret, c.secretEncoding);
    if (key === undefined) throw new Error('hmac: secret does not match secretEncoding');
    const tsText =
      c.timestampUnit === 'ms' ? String(Math.floor(input.nowMs)) : String(Math.floor(input.nowMs / 1000));
    const id = input.id ?? defaultSignId('', input.body, input.nowMs);
    const content = renderSignedContent(c.signedContent, {
      body: input.body,
      timestamp: tsText,
      url: input.url,
      method: input.method.toUpperCase(),
      id,
    });
    const digest = hmac(c.algorithm, key, content);
    const encoded = c.encoding === 'base64url' ? digest.toString('base64url') : digest.toString(c.encoding);
    return {
      [c.header.toLowerCase()]: `${c.prefix}${encoded}`,
      ...(c.timestampHeader !== undefined ? { [c.timestampHeader.toLowerCase()]: tsText } : {}),
      ...(c.idHeader !== undefined ? { [c.idHeader.toLowerCase()]: id } : {}),
    };
  },
};
