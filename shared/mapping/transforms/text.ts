/** Text transforms: trim, case, slug, regexReplace, htmlToText, concat, template, split, join. */
import { z } from 'zod';

import { valueTypeOf } from '../errors';
import {
  defineTransform,
  expectArray,
  expectString,
  fail,
  IDENTITY,
  invertTo,
  isNullish,
  notInvertible,
  nullSafe,
} from './types';

export const trimTransform = defineTransform({
  name: 'trim',
  description: 'Remove leading and trailing white space.',
  args: z.strictObject({}),
  create: () => nullSafe((v) => expectString(v).trim()),
  inverse: () => IDENTITY,
});

export const lowercaseTransform = defineTransform({
  name: 'lowercase',
  description: 'Lower-case a string.',
  args: z.strictObject({}),
  create: () => nullSafe((v) => expectString(v).toLowerCase()),
  inverse: () => IDENTITY,
});

export const uppercaseTransform = defineTransform({
  name: 'uppercase',
  description: 'Upper-case a string.',
  args: z.strictObject({}),
  create: () => nullSafe((v) => expectString(v).toUpperCase()),
  inverse: () => IDENTITY,
});

export const titleCaseTransform = defineTransform({
  name: 'titleCase',
  description:
    'Capitalise the first letter of every word and lower-case the rest ("ADA lovelace" → "Ada Lovelace").',
  args: z.strictObject({}),
  create: () =>
    nullSafe((v) =>
      expectString(v)
        .toLowerCase()
        .replace(/(^|[\s\-'’(/])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase()),
    ),
  inverse: () => IDENTITY,
});

export const slugTransform = defineTransform({
  name: 'slug',
  description: 'URL slug: ASCII letters and digits joined by `separator` ("Crème Brûlée!" → "creme-brulee").',
  args: z.strictObject({
    separator: z.enum(['-', '_', '.']).optional(),
    maxLength: z.int().min(1).max(1000).optional(),
  }),
  create: (args) => {
    const sep = args.separator ?? '-';
    const max = args.maxLength ?? 200;
    return nullSafe((v) => {
      const ascii = expectString(v)
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase();
      const words = ascii.split(/[^a-z0-9]+/).filter((w) => w !== '');
      let out = '';
      for (const w of words) {
        const next = out === '' ? w : `${out}${sep}${w}`;
        if (next.length > max) {
          if (out === '') out = w.slice(0, max);
          break;
        }
        out = next;
      }
      return out;
    });
  },
});

/**
 * Refuses patterns with a quantified group that itself contains a quantifier (`(a+)+`,
 * `(x*)*`, `(a|aa)+` stays allowed): the classic catastrophic-backtracking shapes. JavaScript
 * has no linear-time regex engine, so this plus input limits is the guard; it is a heuristic.
 */
export function looksCatastrophic(pattern: string): boolean {
  return /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/.test(pattern);
}

const MAX_REGEX_INPUT = 100_000;

export const regexReplaceTransform = defineTransform({
  name: 'regexReplace',
  description: 'Replace matches of `pattern` with `replacement` ($1, $<name> allowed); flags g i m s u.',
  args: z
    .strictObject({
      pattern: z.string().min(1).max(256),
      replacement: z.string().max(1000),
      flags: z
        .string()
        .regex(/^[gimsu]{0,5}$/, 'flags: g i m s u')
        .optional(),
    })
    .superRefine((a, ctx) => {
      try {
        new RegExp(a.pattern, a.flags ?? 'g');
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'pattern is not a valid regular expression',
          path: ['pattern'],
        });
        return;
      }
      if (looksCatastrophic(a.pattern)) {
        ctx.addIssue({
          code: 'custom',
          message: 'pattern has nested quantifiers (catastrophic backtracking)',
          path: ['pattern'],
        });
      }
    }),
  create: (args) => {
    const re = new RegExp(args.pattern, args.flags ?? 'g');
    return nullSafe((v) => expectString(v, MAX_REGEX_INPUT).replace(re, args.replacement));
  },
});

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  copy: '©',
  reg: '®',
  trade: '™',
  laquo: '«',
  raquo: '»',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  deg: '°',
  middot: '·',
  bull: '•',
};

const BLOCK_TAGS = new Set([
  'p',
  'div',
  'br',
  'li',
  'ul',
  'ol',
  'tr',
  'table',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'section',
  'article',
  'header',
  'footer',
  'pre',
  'hr',
]);

function decodeEntity(body: string): string | undefined {
  if (body.startsWith('#x') || body.startsWith('#X')) {
    const cp = Number.parseInt(body.slice(2), 16);
    return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : undefined;
  }
  if (body.startsWith('#')) {
    const cp = Number.parseInt(body.slice(1), 10);
    return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : undefined;
  }
  return Object.hasOwn(ENTITIES, body) ? ENTITIES[body] : undefined;
}

/** A single left-to-right scan (no backtracking regexes), so hostile markup costs linear time. */
export function htmlToText(html: string): string {
  let out = '';
  let i = 0;
  const n = html.length;
  while (i < n) {
    const ch = html.charCodeAt(i);
    if (ch === 60 /* < */) {
      const close = html.indexOf('>', i + 1);
      if (close < 0) {
        out += html.slice(i);
        break;
      }
      const tag = html.slice(i + 1, close);
      const name = /^\/?\s*([a-zA-Z][a-zA-Z0-9]*)/.exec(tag)?.[1]?.toLowerCase();
      if (name === 'script' || name === 'style') {
        if (!tag.startsWith('/')) {
          const endRe = name === 'script' ? /<\/script/gi : /<\/style/gi;
          endRe.lastIndex = close + 1;
          const end = endRe.exec(html)?.index ?? -1;
          i = end < 0 ? n : html.indexOf('>', end) + 1 || n;
          continue;
        }
      } else if (name !== undefined && BLOCK_TAGS.has(name)) {
        out += '\n';
      } else if (tag.startsWith('!--')) {
        const end = html.indexOf('-->', i + 4);
        i = end < 0 ? n : end + 3;
        continue;
      }
      i = close + 1;
      continue;
    }
    if (ch === 38 /* & */) {
      // Entities are short: look for the ';' in a small window only, or '&&&…' would be quadratic.
      const window = html.slice(i + 1, i + 11);
      const semi = window.indexOf(';') + i + 1;
      if (semi > i) {
        const decoded = decodeEntity(html.slice(i + 1, semi));
        if (decoded !== undefined) {
          out += decoded;
          i = semi + 1;
          continue;
        }
      }
    }
    out += html.charAt(i);
    i++;
  }
  return out
    .split('\n')
    .map((line) => line.replace(/[ \t\r\f\v\u00a0]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n')
    .trim();
}

export const htmlToTextTransform = defineTransform({
  name: 'htmlToText',
  description: 'Strip HTML tags, drop scripts/styles, decode entities, one line per block element.',
  args: z.strictObject({}),
  create: () => nullSafe((v) => htmlToText(expectString(v))),
});

function partToString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return fail(`cannot put a ${valueTypeOf(v)} into text`);
}

export const concatTransform = defineTransform({
  name: 'concat',
  description: 'Join the values of several `from` paths (or an array) into one string with `separator`.',
  args: z.strictObject({ separator: z.string().max(100).optional(), skipEmpty: z.boolean().optional() }),
  create: (args) => {
    const sep = args.separator ?? '';
    const skipEmpty = args.skipEmpty ?? true;
    return (value) => {
      if (isNullish(value)) return value;
      const parts = Array.isArray(value) ? (value as unknown[]) : [value];
      const strings: string[] = [];
      for (const p of parts) {
        if (isNullish(p)) continue;
        const s = partToString(p);
        if (skipEmpty && s === '') continue;
        strings.push(s);
      }
      const out = strings.join(sep);
      if (out.length > 1_000_000) fail('result longer than 1000000 characters');
      return out;
    };
  },
});

type TemplatePart = string | number;

function parseTemplate(template: string): TemplatePart[] | string {
  const parts: TemplatePart[] = [];
  let literal = '';
  let implicit = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template.charAt(i);
    if (c === '{' && template.charAt(i + 1) === '{') {
      literal += '{';
      i++;
    } else if (c === '}' && template.charAt(i + 1) === '}') {
      literal += '}';
      i++;
    } else if (c === '{') {
      const close = template.indexOf('}', i);
      if (close < 0) return `unclosed "{" at ${i}`;
      const inner = template.slice(i + 1, close);
      let index: number;
      if (inner === '') index = implicit++;
      else if (/^\d{1,2}$/.test(inner)) index = Number(inner);
      else return `placeholder "{${inner.slice(0, 20)}}" must be {} or {n}`;
      if (literal !== '') parts.push(literal);
      literal = '';
      parts.push(index);
      i = close;
    } else if (c === '}') {
      return `unmatched "}" at ${i} (write "}}" for a literal brace)`;
    } else {
      literal += c;
    }
  }
  if (literal !== '') parts.push(literal);
  return parts;
}

export const templateTransform = defineTransform({
  name: 'template',
  description:
    'Fill `{0}`, `{1}`… (or `{}` in order) with the values of the `from` paths; missing values become "".',
  args: z.strictObject({ template: z.string().min(1).max(2000) }).superRefine((a, ctx) => {
    const parsed = parseTemplate(a.template);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed, path: ['template'] });
  }),
  create: (args) => {
    const parts = parseTemplate(args.template);
    if (typeof parts === 'string') return fail(parts);
    return (value) => {
      const values = Array.isArray(value) ? (value as unknown[]) : [value];
      let out = '';
      for (const p of parts) {
        if (typeof p === 'string') out += p;
        else {
          const v = values[p];
          if (!isNullish(v)) out += partToString(v);
        }
        if (out.length > 1_000_000) fail('result longer than 1000000 characters');
      }
      return out;
    };
  },
});

export const splitTransform = defineTransform({
  name: 'split',
  description: 'Split a string on `separator` into an array (optionally trimming and dropping empty items).',
  args: z.strictObject({
    separator: z.string().min(1).max(20),
    trim: z.boolean().optional(),
    removeEmpty: z.boolean().optional(),
    limit: z.int().min(1).max(100_000).optional(),
  }),
  create: (args) => {
    const trim = args.trim ?? false;
    const removeEmpty = args.removeEmpty ?? false;
    const limit = args.limit ?? 100_000;
    return nullSafe((v) => {
      const s = expectString(v);
      if (s === '') return [];
      let parts = s.split(args.separator);
      if (trim) parts = parts.map((p) => p.trim());
      if (removeEmpty) parts = parts.filter((p) => p !== '');
      if (parts.length > limit) fail(`more than ${limit} items`);
      return parts;
    });
  },
  inverse: (args) =>
    args.trim === true || args.removeEmpty === true
      ? notInvertible('split with trim/removeEmpty loses text')
      : invertTo('join', { separator: args.separator }),
});

export const joinTransform = defineTransform({
  name: 'join',
  description: 'Join an array of scalars into one string with `separator` (null items are skipped).',
  args: z.strictObject({ separator: z.string().max(20) }),
  create: (args) =>
    nullSafe((v) => {
      const items = expectArray(v);
      return items
        .filter((x) => !isNullish(x))
        .map(partToString)
        .join(args.separator);
    }),
  // join is not invertible: an item containing the separator would split into two.
});
