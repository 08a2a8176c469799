/**
 * The transform registry: the built-ins plus any custom transforms written in code. A registry
 * is immutable once created (the composition root builds one at start-up), so compiled mappings
 * cached per registry can never go stale.
 */
import { type Pipeline, TRANSFORM_NAME_PATTERN, type TransformSpec } from './schema';
import {
  enumTransform,
  filterTransform,
  getTransform,
  mapTransform,
  omitTransform,
  pickTransform,
} from './transforms/collections';
import { countryTransform, emailTransform, phoneTransform, splitNameTransform } from './transforms/contact';
import { dateTimeTransform, dateTransform, formatDateTransform } from './transforms/dates';
import { lookupTransform } from './transforms/lookup';
import {
  convertUnitTransform,
  fromMinorUnitsTransform,
  toMinorUnitsTransform,
} from './transforms/quantities';
import {
  booleanTransform,
  coalesceTransform,
  defaultTransform,
  integerTransform,
  jsonStringifyTransform,
  jsonTransform,
  numberTransform,
  roundTransform,
  stringTransform,
} from './transforms/scalars';
import {
  concatTransform,
  htmlToTextTransform,
  joinTransform,
  lowercaseTransform,
  regexReplaceTransform,
  slugTransform,
  splitTransform,
  templateTransform,
  titleCaseTransform,
  trimTransform,
  uppercaseTransform,
} from './transforms/text';
import type { NormalizedTransform, RegisteredTransform } from './transforms/types';

export const BUILTIN_TRANSFORMS: readonly RegisteredTransform[] = [
  stringTransform,
  numberTransform,
  integerTransform,
  booleanTransform,
  dateTransform,
  dateTimeTransform,
  formatDateTransform,
  enumTransform,
  jsonTransform,
  jsonStringifyTransform,
  splitTransform,
  joinTransform,
  concatTransform,
  templateTransform,
  trimTransform,
  lowercaseTransform,
  uppercaseTransform,
  titleCaseTransform,
  slugTransform,
  regexReplaceTransform,
  roundTransform,
  toMinorUnitsTransform,
  fromMinorUnitsTransform,
  convertUnitTransform,
  coalesceTransform,
  defaultTransform,
  mapTransform,
  filterTransform,
  pickTransform,
  omitTransform,
  getTransform,
  htmlToTextTransform,
  emailTransform,
  phoneTransform,
  countryTransform,
  splitNameTransform,
  lookupTransform,
];

/** `{ type: "custom", function: "x", ...args }` (seed 003's spelling) is the same as `{ type: "x", ...args }`. */
export const CUSTOM_ALIAS = 'custom';

export interface TransformRegistry {
  get(name: string): RegisteredTransform | undefined;
  names(): readonly string[];
}

export function createTransformRegistry(custom: readonly RegisteredTransform[] = []): TransformRegistry {
  const defs = new Map<string, RegisteredTransform>();
  for (const def of BUILTIN_TRANSFORMS) defs.set(def.name, def);
  for (const def of custom) {
    if (!TRANSFORM_NAME_PATTERN.test(def.name) || def.name === CUSTOM_ALIAS) {
      throw new Error(`invalid custom transform name "${def.name}"`);
    }
    if (defs.has(def.name)) throw new Error(`transform "${def.name}" is already defined`);
    if (def.kind !== 'value') throw new Error(`custom transform "${def.name}" must be a value transform`);
    defs.set(def.name, def);
  }
  const names = Object.freeze([...defs.keys()]);
  return Object.freeze({ get: (name: string) => defs.get(name), names: () => names });
}

export const defaultTransformRegistry: TransformRegistry = createTransformRegistry();

export type SpecResult = { ok: true; spec: NormalizedTransform } | { ok: false; message: string };

export function normalizeSpec(spec: TransformSpec): SpecResult {
  if (typeof spec === 'string') {
    if (spec === CUSTOM_ALIAS) return { ok: false, message: '"custom" needs an object with "function"' };
    return { ok: true, spec: { type: spec, args: {} } };
  }
  const { type, ...rest } = spec;
  if (type !== CUSTOM_ALIAS) return { ok: true, spec: { type, args: rest } };
  const { function: fn, ...args } = rest;
  if (typeof fn !== 'string' || !TRANSFORM_NAME_PATTERN.test(fn) || fn === CUSTOM_ALIAS) {
    return { ok: false, message: '"custom" needs "function": the name of a registered transform' };
  }
  return { ok: true, spec: { type: fn, args } };
}

export function pipelineSpecs(pipeline: Pipeline | undefined): readonly TransformSpec[] {
  if (pipeline === undefined) return [];
  return Array.isArray(pipeline) ? pipeline : [pipeline];
}

export function toSpec(t: NormalizedTransform): TransformSpec {
  return Object.keys(t.args).length === 0 ? t.type : { type: t.type, ...t.args };
}
