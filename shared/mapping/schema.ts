/**
 * The mapping document: what an integration stores per resource type and what the admin API
 * accepts. This schema checks the shape and every path (syntax, forbidden segments); the
 * transform arguments, invertibility and target conflicts need the transform registry and are
 * checked by `validateMapping`, which the admin API calls before saving.
 */
import { z } from 'zod';

import { parsePath } from './paths';

export const TRANSFORM_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export const PathSchema = z
  .string()
  .max(1000)
  .superRefine((text, ctx) => {
    const parsed = parsePath(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
  });

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };

export const JsonPrimitiveSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const JsonValueSchema: z.ZodType<JsonValue> = z.json();

/** A bare name (`"string"`) or an object `{ type, ...arguments }`. */
export const TransformSpecSchema = z.union([
  z.string().regex(TRANSFORM_NAME_PATTERN, 'unknown transform name format'),
  z.looseObject({ type: z.string().regex(TRANSFORM_NAME_PATTERN, 'unknown transform name format') }),
]);
export type TransformSpec = z.infer<typeof TransformSpecSchema>;

export const PipelineSchema = z.union([TransformSpecSchema, z.array(TransformSpecSchema).max(20)]);
export type Pipeline = z.infer<typeof PipelineSchema>;

export interface LeafCondition {
  /** Path in the record (rules) or in the element (array filters); the value itself when omitted. */
  path?: string | undefined;
  equals?: JsonPrimitive | undefined;
  notEquals?: JsonPrimitive | undefined;
  in?: JsonPrimitive[] | undefined;
  exists?: boolean | undefined;
}
export type Condition = LeafCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition };

const LeafConditionSchema = z
  .strictObject({
    path: PathSchema.optional(),
    equals: JsonPrimitiveSchema.optional(),
    notEquals: JsonPrimitiveSchema.optional(),
    in: z.array(JsonPrimitiveSchema).max(1000).optional(),
    exists: z.boolean().optional(),
  })
  .refine(
    (c) => [c.equals, c.notEquals, c.in, c.exists].filter((x) => x !== undefined).length === 1,
    'a condition needs exactly one of equals, notEquals, in, exists',
  );

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(ConditionSchema).min(1).max(50) }),
    z.strictObject({ any: z.array(ConditionSchema).min(1).max(50) }),
    z.strictObject({ not: ConditionSchema }),
    LeafConditionSchema,
  ]),
);

/** An explicit write-back for one rule: `false` = never written back; an object = the reverse pipeline. */
export const ReverseSpecSchema = z.union([
  z.literal(false),
  z.strictObject({ transform: PipelineSchema.optional() }),
]);

export const FieldRuleSchema = z
  .strictObject({
    /** Source path (or several, for concat/template/coalesce); omitted for a constant (`default`). */
    from: z.union([PathSchema, z.array(PathSchema).min(1).max(20)]).optional(),
    to: PathSchema,
    transform: PipelineSchema.optional(),
    required: z.boolean().optional(),
    /** Target-format value used when the result is absent or null. */
    default: JsonValueSchema.optional(),
    /** The rule applies only when this holds for the source record. */
    when: ConditionSchema.optional(),
    reverse: ReverseSpecSchema.optional(),
    description: z.string().max(500).optional(),
  })
  .refine((r) => r.from !== undefined || r.default !== undefined, {
    message: 'a rule needs "from" or a constant "default"',
    path: ['from'],
  });
export type FieldRule = z.infer<typeof FieldRuleSchema>;

export const MappingDocumentSchema = z.strictObject({
  version: z.literal(1).optional(),
  resourceType: z.string().min(1).max(100),
  /** external → internal rules: `from` is an external path, `to` a canonical one. */
  inbound: z.array(FieldRuleSchema).max(500).optional(),
  /** internal → external rules declared by hand; they win over rules derived from `inbound`. */
  outbound: z.array(FieldRuleSchema).max(500).optional(),
  hash: z.strictObject({ ignore: z.array(PathSchema).max(200) }).optional(),
});
export type MappingDocument = z.infer<typeof MappingDocumentSchema>;

export type MappingDirection = 'inbound' | 'outbound' | 'bidirectional';

/**
 * Per-integration changes to a provider's default mapping, keyed by canonical path (seed 000:
 * "field_mappings can override adapter defaults: canonical -> external keys"). A string moves
 * the field to another external key, `null` drops the field, an object patches the rule.
 */
export const FieldOverrideSchema = z.union([
  PathSchema,
  z.null(),
  z.strictObject({
    external: PathSchema.optional(),
    transform: PipelineSchema.optional(),
    required: z.boolean().optional(),
    default: JsonValueSchema.optional(),
    when: ConditionSchema.optional(),
    reverse: ReverseSpecSchema.optional(),
  }),
]);
export type FieldOverride = z.infer<typeof FieldOverrideSchema>;

export const MappingOverridesSchema = z.strictObject({
  fields: z.record(PathSchema, FieldOverrideSchema).optional(),
  hash: z.strictObject({ ignore: z.array(PathSchema).max(200) }).optional(),
});
export type MappingOverrides = z.infer<typeof MappingOverridesSchema>;
