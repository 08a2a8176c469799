/** Money to and from minor units, and unit conversions. */
import { z } from 'zod';

import { valueTypeOf } from '../errors';
import { roundDecimal, RoundModeSchema, shiftDecimal } from './scalars';
import { defineTransform, expectFiniteNumber, fail, invertTo, nullSafe } from './types';

const CurrencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR')
  .refine((c) => currencyDigits(c) !== undefined, 'unknown ISO 4217 currency');

/** Minor-unit digits from the platform's CLDR data (JPY 0, EUR 2, BHD 3). */
export function currencyDigits(code: string): number | undefined {
  try {
    const nf = new Intl.NumberFormat('en', { style: 'currency', currency: code });
    return nf.resolvedOptions().maximumFractionDigits;
  } catch {
    return undefined;
  }
}

const MinorArgs = z
  .strictObject({
    currency: CurrencySchema.optional(),
    decimals: z.int().min(0).max(6).optional(),
    rounding: z.union([RoundModeSchema, z.literal('reject')]).optional(),
  })
  .refine(
    (a) => !(a.currency !== undefined && a.decimals !== undefined),
    'give currency or decimals, not both',
  );
type MinorArgs = z.infer<typeof MinorArgs>;

const digitsOf = (a: MinorArgs): number =>
  a.decimals ?? (a.currency !== undefined ? (currencyDigits(a.currency) ?? 2) : 2);

const AMOUNT_RE = /^([+-]?)(\d{1,15})(?:\.(\d{1,12}))?$/;
const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000];

function moneyInput(value: unknown): number {
  if (typeof value === 'number') return expectFiniteNumber(value);
  if (typeof value === 'string' && /^[+-]?\d{1,17}(\.\d{1,12})?$/.test(value.trim()))
    return Number(value.trim());
  return fail(`expected an amount (number or decimal string), got ${valueTypeOf(value)}`);
}

/**
 * Exact minor units when the amount has no more decimals than the currency: decimal strings are
 * scaled digit by digit, numbers by multiplication with a check that the product is an integer
 * up to floating-point noise (19.99 × 100 = 1998.9999999999998). Anything finer returns
 * undefined and goes through rounding.
 */
function exactMinor(value: unknown, digits: number): number | undefined {
  const scale = POW10[digits] ?? 10 ** digits;
  if (typeof value === 'string') {
    const m = AMOUNT_RE.exec(value.length > 0 && value.charCodeAt(0) <= 32 ? value.trim() : value);
    if (m === null) return undefined;
    const frac = m[3] ?? '';
    if (frac.length > digits) return undefined;
    const minor =
      Number(m[2]) * scale + (frac === '' ? 0 : Number(frac) * (POW10[digits - frac.length] ?? 1));
    return m[1] === '-' ? -minor : minor;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const product = value * scale;
  const rounded = Math.round(product);
  return Math.abs(product - rounded) <= Math.abs(product) * 4 * Number.EPSILON ? rounded : undefined;
}

export const toMinorUnitsTransform = defineTransform({
  name: 'toMinorUnits',
  description: 'Amount in major units (12.34 EUR) to an integer of minor units (1234).',
  args: MinorArgs,
  create: (args) => {
    const digits = digitsOf(args);
    const rounding = args.rounding ?? 'halfUp';
    return nullSafe((value) => {
      let minor = exactMinor(value, digits);
      if (minor === undefined) {
        const exact = shiftDecimal(moneyInput(value), digits);
        if (Number.isInteger(exact)) minor = exact;
        else if (rounding === 'reject') return fail(`amount has more than ${digits} decimal places`);
        else minor = roundDecimal(exact, 0, rounding);
      }
      if (!Number.isSafeInteger(minor)) fail('amount out of the safe integer range');
      return minor === 0 ? 0 : minor;
    });
  },
  inverse: (args) =>
    invertTo(
      'fromMinorUnits',
      args.currency !== undefined ? { currency: args.currency } : { decimals: digitsOf(args) },
    ),
});

export const fromMinorUnitsTransform = defineTransform({
  name: 'fromMinorUnits',
  description: 'Integer of minor units (1234) to an amount in major units (12.34).',
  args: z
    .strictObject({ currency: CurrencySchema.optional(), decimals: z.int().min(0).max(6).optional() })
    .refine(
      (a) => !(a.currency !== undefined && a.decimals !== undefined),
      'give currency or decimals, not both',
    ),
  create: (args) => {
    const digits = digitsOf(args);
    return nullSafe((value) => {
      const minor =
        typeof value === 'string' && /^[+-]?\d{1,16}$/.test(value.trim()) ? Number(value.trim()) : value;
      if (typeof minor !== 'number' || !Number.isSafeInteger(minor)) {
        return fail(`expected an integer of minor units, got ${valueTypeOf(value)}`);
      }
      const out = shiftDecimal(minor, -digits);
      return out === 0 ? 0 : out;
    });
  },
  inverse: (args) =>
    invertTo(
      'toMinorUnits',
      args.currency !== undefined ? { currency: args.currency } : { decimals: digitsOf(args) },
    ),
});

type Dimension = 'length' | 'mass' | 'volume' | 'time' | 'data' | 'area' | 'speed' | 'temperature';
interface Unit {
  readonly dimension: Dimension;
  /** Value in the dimension's base unit = value × factor (+ offset for temperatures). */
  readonly factor: number;
  readonly offset?: number;
}

export const UNITS: Readonly<Record<string, Unit>> = {
  mm: { dimension: 'length', factor: 0.001 },
  cm: { dimension: 'length', factor: 0.01 },
  m: { dimension: 'length', factor: 1 },
  km: { dimension: 'length', factor: 1000 },
  in: { dimension: 'length', factor: 0.0254 },
  ft: { dimension: 'length', factor: 0.3048 },
  yd: { dimension: 'length', factor: 0.9144 },
  mi: { dimension: 'length', factor: 1609.344 },
  mg: { dimension: 'mass', factor: 0.000001 },
  g: { dimension: 'mass', factor: 0.001 },
  kg: { dimension: 'mass', factor: 1 },
  t: { dimension: 'mass', factor: 1000 },
  oz: { dimension: 'mass', factor: 0.028349523125 },
  lb: { dimension: 'mass', factor: 0.45359237 },
  ml: { dimension: 'volume', factor: 0.001 },
  cl: { dimension: 'volume', factor: 0.01 },
  l: { dimension: 'volume', factor: 1 },
  m3: { dimension: 'volume', factor: 1000 },
  floz: { dimension: 'volume', factor: 0.0295735295625 },
  pt: { dimension: 'volume', factor: 0.473176473 },
  qt: { dimension: 'volume', factor: 0.946352946 },
  gal: { dimension: 'volume', factor: 3.785411784 },
  ms: { dimension: 'time', factor: 0.001 },
  s: { dimension: 'time', factor: 1 },
  min: { dimension: 'time', factor: 60 },
  h: { dimension: 'time', factor: 3600 },
  d: { dimension: 'time', factor: 86400 },
  wk: { dimension: 'time', factor: 604800 },
  B: { dimension: 'data', factor: 1 },
  KB: { dimension: 'data', factor: 1000 },
  MB: { dimension: 'data', factor: 1e6 },
  GB: { dimension: 'data', factor: 1e9 },
  KiB: { dimension: 'data', factor: 1024 },
  MiB: { dimension: 'data', factor: 1048576 },
  GiB: { dimension: 'data', factor: 1073741824 },
  m2: { dimension: 'area', factor: 1 },
  km2: { dimension: 'area', factor: 1e6 },
  ft2: { dimension: 'area', factor: 0.09290304 },
  ha: { dimension: 'area', factor: 10000 },
  acre: { dimension: 'area', factor: 4046.8564224 },
  'm/s': { dimension: 'speed', factor: 1 },
  'km/h': { dimension: 'speed', factor: 1 / 3.6 },
  mph: { dimension: 'speed', factor: 0.44704 },
  kn: { dimension: 'speed', factor: 1852 / 3600 },
  C: { dimension: 'temperature', factor: 1, offset: 273.15 },
  K: { dimension: 'temperature', factor: 1, offset: 0 },
  F: { dimension: 'temperature', factor: 5 / 9, offset: 273.15 - (32 * 5) / 9 },
};

const UnitSchema = z
  .string()
  .refine((u) => Object.hasOwn(UNITS, u), `unknown unit (known: ${Object.keys(UNITS).join(', ')})`);

/**
 * Removes floating-point noise: the shortest decimal within 4 ε (relative) of the result, so
 * 1.25 × 1000 = 1250 and 3 × 1.609344 = 4.828032 rather than 4.828032000000001. That tolerance
 * is below one unit of the 15th significant digit, so real digits survive, and a conversion
 * there and back returns the original number whenever the converted value fits in 15
 * significant digits. "Close enough with p digits" is monotone in p, so a binary search over
 * 1..17 digits finds the shortest in a few steps.
 */
export function denoise(n: number): number {
  if (Number.isInteger(n) || !Number.isFinite(n)) return n === 0 ? 0 : n;
  const tolerance = Math.abs(n) * 4 * Number.EPSILON;
  let lo = 1;
  let hi = 17;
  let best = n;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = Number(n.toPrecision(mid));
    if (Math.abs(candidate - n) <= tolerance) {
      best = candidate;
      hi = mid - 1;
    } else {
      lo = mid + 1;
    }
  }
  return best === 0 ? 0 : best;
}

export const convertUnitTransform = defineTransform({
  name: 'convertUnit',
  description:
    'Convert between units of one dimension (length, mass, volume, time, data, area, speed, temperature).',
  args: z
    .strictObject({ from: UnitSchema, to: UnitSchema, decimals: z.int().min(0).max(15).optional() })
    .refine(
      (a) => UNITS[a.from]?.dimension === UNITS[a.to]?.dimension,
      'from and to must measure the same thing',
    ),
  create: (args) => {
    const from = UNITS[args.from] as Unit;
    const to = UNITS[args.to] as Unit;
    const decimals = args.decimals;
    const fromOffset = from.offset ?? 0;
    const toOffset = to.offset ?? 0;
    const affine = fromOffset !== 0 || toOffset !== 0;
    const ratio = from.factor / to.factor;
    return nullSafe((value) => {
      const n =
        typeof value === 'string' && /^[+-]?\d+(\.\d+)?$/.test(value.trim()) ? Number(value.trim()) : value;
      const x = expectFiniteNumber(n);
      // Multiplying by one precomputed ratio keeps integer results integer (1.25 kg → 1250 g).
      const out = denoise(affine ? (x * from.factor + fromOffset - toOffset) / to.factor : x * ratio);
      if (!Number.isFinite(out)) return fail('result out of range');
      return decimals !== undefined ? roundDecimal(out, decimals, 'halfUp') : out;
    });
  },
  inverse: (args) => invertTo('convertUnit', { from: args.to, to: args.from }),
});
