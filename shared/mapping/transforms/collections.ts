/** Enum maps and array/object helpers: enum, map, filter, pick, omit, get. */
import { z } from 'zod';

import { compileCondition } from '../conditions';
import { TransformFailure, valueTypeOf } from '../errors';
import { defineOwn, FORBIDDEN_KEYS, isPlainObject, parsePath, readPath } from '../paths';
import { ConditionSchema, JsonPrimitiveSchema, PathSchema, PipelineSchema } from '../schema';
import {
  defineTransform,
  expectArray,
  fail,
  type Inverse,
  invertTo,
  isNullish,
  notInvertible,
  nullSafe,
} from './types';

type Primitive = string | number | boolean | null;

const EnumArgs = z
  .strictObject({
    /** Keys are the source values as text ("true", "1", "open"); values are what to write. */
    mapping: z
      .record(z.string().max(200), JsonPrimitiveSchema)
      .refine((m) => Object.keys(m).length > 0, 'mapping is empty'),
    default: JsonPrimitiveSchema.optional(),
    caseInsensitive: z.boolean().optional(),
    /** Type of the source values, so the reverse writes `true` rather than `"true"`. */
    keyType: z.enum(['string', 'number', 'boolean']).optional(),
  })
  .superRefine((a, ctx) => {
    const keyType = a.keyType ?? 'string';
    for (const k of Object.keys(a.mapping)) {
      if (FORBIDDEN_KEYS.has(k))
        ctx.addIssue({ code: 'custom', message: `key "${k}" is not allowed`, path: ['mapping'] });
      if (keyType === 'number' && !Number.isFinite(Number(k))) {
        ctx.addIssue({
          code: 'custom',
          message: `key "${k.slice(0, 40)}" is not a number`,
          path: ['mapping'],
        });
      }
      if (keyType === 'boolean' && k !== 'true' && k !== 'false') {
        ctx.addIssue({
          code: 'custom',
          message: `key "${k.slice(0, 40)}" is not true/false`,
          path: ['mapping'],
        });
      }
    }
    if (a.caseInsensitive === true) {
      const lowered = Object.keys(a.mapping).map((k) => k.toLowerCase());
      if (new Set(lowered).size !== lowered.length) {
        ctx.addIssue({ code: 'custom', message: 'keys collide when case is ignored', path: ['mapping'] });
      }
    }
  });
type EnumArgs = z.infer<typeof EnumArgs>;

function enumKey(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function parseKey(key: string, keyType: 'string' | 'number' | 'boolean'): Primitive {
  if (keyType === 'number') return Number(key);
  if (keyType === 'boolean') return key === 'true';
  return key;
}

export const enumTransform = defineTransform({
  name: 'enum',
  description:
    'Map source values to target values through `mapping`; unknown values fail unless `default` is set.',
  args: EnumArgs,
  create: (args) => {
    const ci = args.caseInsensitive ?? false;
    const table = new Map<string, Primitive>();
    for (const [k, v] of Object.entries(args.mapping)) table.set(ci ? k.toLowerCase() : k, v);
    const hasDefault = args.default !== undefined;
    const fallback = args.default ?? null;
    return nullSafe((value) => {
      const key = enumKey(value);
      if (key === undefined) return fail(`expected a string, number or boolean, got ${valueTypeOf(value)}`);
      const hit = table.get(ci ? key.toLowerCase() : key);
      if (hit !== undefined) return hit;
      if (hasDefault) return fallback;
      return fail('unknown enum value');
    });
  },
  inverse: (args): Inverse => {
    if (args.default !== undefined) return notInvertible('enum with a default maps many values to one');
    const values = Object.values(args.mapping);
    if (new Set(values).size !== values.length)
      return notInvertible('enum maps two values to the same target');
    if (values.some((v) => v === null)) return notInvertible('enum maps a value to null');
    const valueTypes = new Set(values.map((v) => typeof v));
    const keyType =
      valueTypes.size === 1
        ? values[0] === undefined
          ? 'string'
          : (typeof values[0] as 'string' | 'number' | 'boolean')
        : undefined;
    if (keyType === undefined) return notInvertible('enum targets mix types');
    const reversed: Record<string, Primitive> = {};
    for (const [k, v] of Object.entries(args.mapping)) {
      defineOwn(reversed, String(v), parseKey(k, args.keyType ?? 'string'));
    }
    return invertTo('enum', { mapping: reversed, keyType });
  },
});

export const mapTransform = defineTransform({
  name: 'map',
  description: 'Apply `pipeline` to every element of an array.',
  args: z.strictObject({ pipeline: PipelineSchema }),
  nested: (args) => [args.pipeline],
  create: (args, env) => {
    const inner = env.compilePipeline(args.pipeline);
    return nullSafe((value) => {
      const items = expectArray(value);
      const out = new Array<unknown>(items.length);
      for (let i = 0; i < items.length; i++) {
        try {
          out[i] = inner(items[i]);
        } catch (e) {
          if (e instanceof TransformFailure) e.message = `item ${i}: ${e.message}`;
          throw e;
        }
      }
      return out;
    });
  },
  inverse: (args, ctx): Inverse => {
    const inv = ctx.invertPipeline(args.pipeline);
    if (inv.kind === 'none') return inv;
    if (inv.kind === 'identity') return inv;
    return invertTo('map', { pipeline: inv.steps.map((s) => ({ type: s.type, ...s.args })) });
  },
});

export const filterTransform = defineTransform({
  name: 'filter',
  description:
    'Keep the array elements for which `where` holds (paths in `where` are relative to the element).',
  args: z.strictObject({ where: ConditionSchema }),
  create: (args) => {
    const test = compileCondition(args.where);
    return nullSafe((value) => expectArray(value).filter((item) => test(item)));
  },
});

const KeysSchema = z
  .array(z.string().min(1).max(200))
  .min(1)
  .max(500)
  .refine((keys) => keys.every((k) => !FORBIDDEN_KEYS.has(k)), 'key not allowed');

function selectKeys(value: unknown, keys: ReadonlySet<string>, keep: boolean): unknown {
  const one = (obj: unknown): Record<string, unknown> => {
    if (!isPlainObject(obj)) return fail(`expected an object, got ${valueTypeOf(obj)}`);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj)) {
      if (keys.has(k) === keep) defineOwn(out, k, obj[k]);
    }
    return out;
  };
  return Array.isArray(value) ? value.map(one) : one(value);
}

export const pickTransform = defineTransform({
  name: 'pick',
  description: 'Keep only `keys` of an object (or of every object in an array).',
  args: z.strictObject({ keys: KeysSchema }),
  create: (args) => {
    const keys = new Set(args.keys);
    return nullSafe((value) => selectKeys(value, keys, true));
  },
});

export const omitTransform = defineTransform({
  name: 'omit',
  description: 'Drop `keys` from an object (or from every object in an array).',
  args: z.strictObject({ keys: KeysSchema }),
  create: (args) => {
    const keys = new Set(args.keys);
    return nullSafe((value) => selectKeys(value, keys, false));
  },
});

export const getTransform = defineTransform({
  name: 'get',
  description: 'Read `path` inside the value (useful inside `map`: `{type:"get", path:"sku"}`).',
  args: z.strictObject({ path: PathSchema }),
  create: (args) => {
    const parsed = parsePath(args.path);
    if (!parsed.ok) return fail(parsed.reason);
    const path = parsed.path;
    return (value) => (isNullish(value) ? value : readPath(value, path));
  },
});
