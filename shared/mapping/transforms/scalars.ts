/** Casts and value-level helpers: string, number, integer, boolean, round, default, coalesce, json. */
import { z } from 'zod';

import { valueTypeOf } from '../errors';
import { JsonValueSchema } from '../schema';
import {
  defineTransform,
  expectFiniteNumber,
  expectString,
  fail,
  IDENTITY,
  invertTo,
  isNullish,
  MAX_TEXT_LENGTH,
  nullSafe,
} from './types';

export const stringTransform = defineTransform({
  name: 'string',
  description: 'Cast a string, number or boolean to a string.',
  args: z.strictObject({ maxLength: z.int().min(1).max(MAX_TEXT_LENGTH).optional() }),
  create: (args) => {
    const max = args.maxLength ?? Number.POSITIVE_INFINITY;
    return nullSafe((value) => {
      let s: string;
      if (typeof value === 'string') s = value;
      else if (typeof value === 'number' && Number.isFinite(value)) s = String(value);
      else if (typeof value === 'boolean') s = value ? 'true' : 'false';
      else return fail(`expected a string, number or boolean, got ${valueTypeOf(value)}`);
      if (s.length > max) fail(`string longer than ${max} characters`);
      return s;
    });
  },
  inverse: () => IDENTITY,
});

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseNumber(value: unknown, decimalSeparator: '.' | ',', thousands: string | undefined): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail('expected a finite number');
    return value;
  }
  if (typeof value !== 'string')
    return fail(`expected a number or numeric string, got ${valueTypeOf(value)}`);
  if (value.length > 100) return fail('numeric string too long');
  let s = value.trim();
  if (thousands !== undefined && thousands !== '') s = s.split(thousands).join('');
  if (decimalSeparator === ',') s = s.replace(',', '.');
  if (!DECIMAL.test(s)) return fail('not a number');
  const n = Number(s);
  if (!Number.isFinite(n)) return fail('number out of range');
  return n;
}

const NumberArgs = z.strictObject({
  decimalSeparator: z.enum(['.', ',']).optional(),
  thousandsSeparator: z.enum([',', '.', ' ', '\u00a0', "'", '_']).optional(),
});

export const numberTransform = defineTransform({
  name: 'number',
  description: 'Cast a number or numeric string ("1 234,5" with separators) to a number.',
  args: NumberArgs.refine(
    (a) => a.thousandsSeparator === undefined || a.thousandsSeparator !== (a.decimalSeparator ?? '.'),
    'thousandsSeparator must differ from decimalSeparator',
  ),
  create: (args) => {
    const dec = args.decimalSeparator ?? '.';
    const th = args.thousandsSeparator;
    return nullSafe((value) =>
      typeof value === 'number' && Number.isFinite(value) ? value : parseNumber(value, dec, th),
    );
  },
  inverse: () => IDENTITY,
});

export const integerTransform = defineTransform({
  name: 'integer',
  description: 'Cast to a safe integer; fractions fail unless mode is round, floor, ceil or trunc.',
  args: z.strictObject({ mode: z.enum(['strict', 'round', 'floor', 'ceil', 'trunc']).optional() }),
  create: (args) => {
    const mode = args.mode ?? 'strict';
    return nullSafe((value) => {
      let n = typeof value === 'number' ? value : parseNumber(value, '.', undefined);
      if (!Number.isFinite(n)) fail('expected a finite number');
      if (!Number.isInteger(n)) {
        if (mode === 'strict') fail('not an integer');
        n =
          mode === 'round'
            ? Math.round(n)
            : mode === 'floor'
              ? Math.floor(n)
              : mode === 'ceil'
                ? Math.ceil(n)
                : Math.trunc(n);
      }
      if (!Number.isSafeInteger(n)) fail('integer out of the safe range');
      return n === 0 ? 0 : n;
    });
  },
  inverse: () => IDENTITY,
});

const TRUE_WORDS = ['true', 'yes', 'y', '1', 'on', 't'];
const FALSE_WORDS = ['false', 'no', 'n', '0', 'off', 'f', ''];

export const booleanTransform = defineTransform({
  name: 'boolean',
  description: 'Cast true/false, 1/0 and words such as "yes", "no", "on", "off" to a boolean.',
  args: z
    .strictObject({
      trueValues: z.array(z.string().max(100)).min(1).max(50).optional(),
      falseValues: z.array(z.string().max(100)).min(1).max(50).optional(),
    })
    .refine(
      (a) =>
        !(a.trueValues ?? TRUE_WORDS).some((t) =>
          (a.falseValues ?? FALSE_WORDS).map(lower).includes(lower(t)),
        ),
      'a word cannot be both true and false',
    ),
  create: (args) => {
    const truthy = new Set((args.trueValues ?? TRUE_WORDS).map(lower));
    const falsy = new Set((args.falseValues ?? FALSE_WORDS).map(lower));
    return nullSafe((value) => {
      if (typeof value === 'boolean') return value;
      if (value === 1) return true;
      if (value === 0) return false;
      if (typeof value === 'string' && value.length <= 100) {
        const w = value.trim().toLowerCase();
        if (truthy.has(w)) return true;
        if (falsy.has(w)) return false;
        return fail('not a recognised boolean word');
      }
      return fail(`expected a boolean, 0/1 or a word, got ${valueTypeOf(value)}`);
    });
  },
  inverse: () => IDENTITY,
});

function lower(s: string): string {
  return s.trim().toLowerCase();
}

/** Rounds through the decimal representation, so 1.005 rounds to 1.01 as a person expects. */
export function roundDecimal(n: number, decimals: number, mode: RoundMode): number {
  if (decimals === 0 && mode === 'halfUp') return Math.sign(n) * Math.round(Math.abs(n));
  const shifted = shiftDecimal(Math.abs(n), decimals);
  let r: number;
  switch (mode) {
    case 'halfUp':
      r = Math.round(shifted);
      break;
    case 'halfEven': {
      const f = Math.floor(shifted);
      const diff = shifted - f;
      r = diff > 0.5 ? f + 1 : diff < 0.5 ? f : f % 2 === 0 ? f : f + 1;
      break;
    }
    case 'floor':
      r = n < 0 ? Math.ceil(shifted) : Math.floor(shifted);
      break;
    case 'ceil':
      r = n < 0 ? Math.floor(shifted) : Math.ceil(shifted);
      break;
    case 'trunc':
      r = Math.trunc(shifted);
      break;
  }
  const out = Math.sign(n) * shiftDecimal(r, -decimals);
  return out === 0 ? 0 : out;
}

/** x × 10^k computed on the decimal text, free of binary rounding (1.005 × 100 = 100.5, not 100.49999). */
export function shiftDecimal(x: number, k: number): number {
  const [mantissa, exponent] = String(x).split('e');
  return Number(`${mantissa ?? '0'}e${Number(exponent ?? 0) + k}`);
}
export type RoundMode = 'halfUp' | 'halfEven' | 'floor' | 'ceil' | 'trunc';
export const RoundModeSchema = z.enum(['halfUp', 'halfEven', 'floor', 'ceil', 'trunc']);

export const roundTransform = defineTransform({
  name: 'round',
  description: 'Round a number to `decimals` places (halfUp, halfEven, floor, ceil, trunc).',
  args: z.strictObject({ decimals: z.int().min(0).max(15).optional(), mode: RoundModeSchema.optional() }),
  create: (args) => {
    const d = args.decimals ?? 0;
    const mode = args.mode ?? 'halfUp';
    return nullSafe((value) => roundDecimal(expectFiniteNumber(value), d, mode));
  },
  inverse: () => IDENTITY,
});

const cloneJson = (v: unknown): unknown =>
  typeof v === 'object' && v !== null ? JSON.parse(JSON.stringify(v)) : v;

export const defaultTransform = defineTransform({
  name: 'default',
  description: 'Replace a missing or null value with `value` (mid-pipeline; rules also have `default`).',
  args: z.strictObject({ value: JsonValueSchema }),
  create: (args) => {
    const fallback = args.value;
    return (value) => (isNullish(value) ? cloneJson(fallback) : value);
  },
  inverse: () => IDENTITY,
});

export const coalesceTransform = defineTransform({
  name: 'coalesce',
  description:
    'First value of the list (several `from` paths) that is not missing, null (or empty, with skipEmpty).',
  args: z.strictObject({ skipEmpty: z.boolean().optional() }),
  create: (args) => {
    const skipEmpty = args.skipEmpty ?? false;
    return (value) => {
      if (!Array.isArray(value)) return value;
      for (const v of value as unknown[]) {
        if (isNullish(v)) continue;
        if (skipEmpty && (v === '' || (Array.isArray(v) && v.length === 0))) continue;
        return v;
      }
      return undefined;
    };
  },
});

const MAX_JSON_TEXT = 10_000_000;

export const jsonTransform = defineTransform({
  name: 'json',
  description: 'Parse a JSON string into a value.',
  args: z.strictObject({}),
  create: () =>
    nullSafe((value) => {
      const s = expectString(value, MAX_JSON_TEXT);
      try {
        return JSON.parse(s) as unknown;
      } catch {
        return fail('not valid JSON');
      }
    }),
  inverse: () => invertTo('jsonStringify'),
});

export const jsonStringifyTransform = defineTransform({
  name: 'jsonStringify',
  description: 'Serialise a value to a JSON string.',
  args: z.strictObject({}),
  create: () =>
    nullSafe((value) => {
      if (typeof value === 'number' && !Number.isFinite(value)) fail('not a finite number');
      try {
        return JSON.stringify(value);
      } catch {
        return fail('value cannot be serialised to JSON');
      }
    }),
  inverse: () => invertTo('json'),
});
