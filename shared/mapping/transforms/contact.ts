/** People and places: email, phone (E.164), country (ISO 3166-1 alpha-2), splitName. */
import { type CountryCode, getCountries, parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';

import { defineTransform, expectString, fail, IDENTITY, nullSafe } from './types';

const EMAIL_RE = /^[^\s@"<>()[\],;:]+@[^\s@"<>()[\],;:]+\.[^\s@"<>()[\],;:]{2,}$/;

export const emailTransform = defineTransform({
  name: 'email',
  description: 'Trim, lower-case and check an e-mail address (also strips a "mailto:" prefix).',
  args: z.strictObject({}),
  create: () =>
    nullSafe((v) => {
      let s = expectString(v, 1000).trim();
      if (s.toLowerCase().startsWith('mailto:')) s = s.slice(7);
      s = s.toLowerCase();
      if (s.length > 254 || !EMAIL_RE.test(s)) return fail('not an e-mail address');
      return s;
    }),
  inverse: () => IDENTITY,
});

const PHONE_COUNTRIES: ReadonlySet<string> = new Set(getCountries());

export const phoneTransform = defineTransform({
  name: 'phone',
  description:
    'Normalise a phone number to E.164 (+14155552671); numbers without a country code use `defaultCountry`.',
  args: z.strictObject({
    defaultCountry: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .refine((c) => PHONE_COUNTRIES.has(c), 'unknown country for phone numbers')
      .optional(),
  }),
  create: (args) => {
    const country = args.defaultCountry as CountryCode | undefined;
    return nullSafe((v) => {
      const text = typeof v === 'number' && Number.isSafeInteger(v) ? `+${v}` : expectString(v, 200);
      const parsed =
        country !== undefined ? parsePhoneNumberFromString(text, country) : parsePhoneNumberFromString(text);
      if (parsed === undefined || !parsed.isValid()) return fail('not a valid phone number');
      return parsed.number;
    });
  },
  inverse: () => IDENTITY,
});

// Codes the platform names but that are not current countries (deprecated, reserved, pseudo).
const NOT_COUNTRIES = new Set(
  'AC AN BU CP CQ CS DD DG DY EA EU EZ FX HV IC NH QO RH SU TA TP UK UN VD XA XB YD YU ZR'.split(' '),
);

const ALIASES: Readonly<Record<string, string>> = {
  usa: 'US',
  'united states of america': 'US',
  america: 'US',
  uk: 'GB',
  'great britain': 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  holland: 'NL',
  'the netherlands': 'NL',
  'czech republic': 'CZ',
  'ivory coast': 'CI',
  burma: 'MM',
  swaziland: 'SZ',
  macedonia: 'MK',
  turkey: 'TR',
  vatican: 'VA',
  uae: 'AE',
  'south korea': 'KR',
  'republic of korea': 'KR',
  'north korea': 'KP',
  russia: 'RU',
  'russian federation': 'RU',
  'hong kong': 'HK',
  macau: 'MO',
  macao: 'MO',
  'cape verde': 'CV',
  'cabo verde': 'CV',
  'east timor': 'TL',
  'democratic republic of the congo': 'CD',
  'dr congo': 'CD',
  'republic of the congo': 'CG',
  palestine: 'PS',
  deutschland: 'DE',
  espana: 'ES',
  // Alpha-3 codes of the most common countries.
  deu: 'DE',
  fra: 'FR',
  gbr: 'GB',
  irl: 'IE',
  ita: 'IT',
  esp: 'ES',
  prt: 'PT',
  nld: 'NL',
  bel: 'BE',
  lux: 'LU',
  che: 'CH',
  aut: 'AT',
  pol: 'PL',
  swe: 'SE',
  nor: 'NO',
  dnk: 'DK',
  fin: 'FI',
  can: 'CA',
  mex: 'MX',
  bra: 'BR',
  arg: 'AR',
  aus: 'AU',
  nzl: 'NZ',
  jpn: 'JP',
  chn: 'CN',
  ind: 'IN',
  zaf: 'ZA',
};

const normaliseName = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/\bst\b\.?/g, 'saint')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

let countryIndex: { codes: ReadonlySet<string>; names: ReadonlyMap<string, string> } | undefined;

/** Built on first use from the platform's CLDR names in several languages. */
function countries(): { codes: ReadonlySet<string>; names: ReadonlyMap<string, string> } {
  if (countryIndex !== undefined) return countryIndex;
  const codes = new Set<string>();
  const names = new Map<string, string>();
  const english = new Intl.DisplayNames(['en'], { type: 'region' });
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      if (NOT_COUNTRIES.has(code)) continue;
      const name = english.of(code);
      if (name !== undefined && name !== code && name !== 'Unknown Region') codes.add(code);
    }
  }
  for (const locale of ['en', 'fr', 'de', 'es', 'it', 'pt', 'nl']) {
    const dn = new Intl.DisplayNames([locale], { type: 'region' });
    for (const code of codes) {
      const name = dn.of(code);
      if (name === undefined) continue;
      const key = normaliseName(name);
      if (!names.has(key)) names.set(key, code);
      // "Myanmar (Burma)", "Hong Kong SAR China": also accept the part before the bracket/suffix.
      const short = normaliseName(name.replace(/\(.*\)/, '').replace(/\bSAR\b.*$/, ''));
      if (short !== '' && !names.has(short)) names.set(short, code);
    }
  }
  for (const [alias, code] of Object.entries(ALIASES)) names.set(normaliseName(alias), code);
  countryIndex = { codes, names };
  return countryIndex;
}

export function toCountryCode(input: string): string | undefined {
  const { codes, names } = countries();
  const trimmed = input.trim();
  if (/^[A-Za-z]{2}$/.test(trimmed)) {
    const upper = trimmed.toUpperCase();
    if (codes.has(upper)) return upper;
    if (upper === 'UK') return 'GB';
  }
  return names.get(normaliseName(trimmed));
}

export const countryTransform = defineTransform({
  name: 'country',
  description:
    'Country name (several languages), alias or code to its ISO 3166-1 alpha-2 code ("Deutschland" → "DE").',
  args: z.strictObject({}),
  create: () =>
    nullSafe((v) => {
      const code = toCountryCode(expectString(v, 200));
      if (code === undefined) return fail('unknown country');
      return code;
    }),
  inverse: () => IDENTITY,
});

const SplitNameArgs = z
  .strictObject({
    part: z.enum(['first', 'last', 'middle']).optional(),
    /** Seed 003 spelling of `part`. */
    target: z.enum(['first', 'last', 'middle']).optional(),
  })
  .refine((a) => (a.part ?? a.target) !== undefined, 'part is required (first, last or middle)');

/**
 * "Ada King Lovelace" → first "Ada", last "King Lovelace" (everything after the first word, as
 * in seed 003), middle "" unless asked; "Lovelace, Ada" → first "Ada", last "Lovelace".
 */
export function splitName(full: string, part: 'first' | 'last' | 'middle'): string {
  const text = full.trim().replace(/\s+/g, ' ');
  if (text === '') return '';
  const comma = text.indexOf(',');
  if (comma > 0) {
    const last = text.slice(0, comma).trim();
    const rest = text
      .slice(comma + 1)
      .trim()
      .split(' ');
    if (part === 'last') return last;
    if (part === 'first') return rest[0] ?? '';
    return rest.slice(1).join(' ');
  }
  const words = text.split(' ');
  if (part === 'first') return words[0] ?? '';
  if (part === 'last') return words.slice(1).join(' ');
  return words.length > 2 ? words.slice(1, -1).join(' ') : '';
}

export const splitNameTransform = defineTransform({
  name: 'splitName',
  description: 'Take the first, middle or last part of a full name ("Lovelace, Ada" works too).',
  args: SplitNameArgs,
  create: (args) => {
    const part = args.part ?? args.target ?? 'first';
    return nullSafe((v) => splitName(expectString(v, 1000), part));
  },
});
