/** The mapping and transform engine: pure, no I/O; lookups go through the LinkLookup port. */
export type { CompiledMapping, CompileOptions, MappedRecord, MappedResult, MappingContext } from './compile';
export { compileMapping } from './compile';
export type { MappingIssue, MappingProblem, ValueType } from './errors';
export { MappingConfigError, MappingError, TransformFailure, valueTypeOf } from './errors';
export type { CanonicalHashOptions } from './hash';
export { canonicalHash, canonicalize, mappingHash } from './hash';
export type { GroupedFields } from './merge';
export { mergeGroupedFields } from './merge';
export { applyMappingOverrides } from './overrides';
export type { ParsedPath, PathSegment } from './paths';
export { FORBIDDEN_KEYS, formatPath, parsePath } from './paths';
export type { TransformRegistry } from './registry';
export { BUILTIN_TRANSFORMS, createTransformRegistry, defaultTransformRegistry } from './registry';
export type {
  Condition,
  FieldOverride,
  FieldRule,
  JsonValue,
  MappingDirection,
  MappingDocument,
  MappingOverrides,
  Pipeline,
  TransformSpec,
} from './schema';
export {
  ConditionSchema,
  FieldRuleSchema,
  MappingDocumentSchema,
  MappingOverridesSchema,
  PathSchema,
  TransformSpecSchema,
} from './schema';
export type {
  CompileEnv,
  Inverse,
  NormalizedTransform,
  RegisteredTransform,
  TransformDefinition,
  TransformFn,
} from './transforms/types';
export {
  defineTransform,
  fail as failTransform,
  IDENTITY,
  invertTo,
  notInvertible,
} from './transforms/types';
export type { MappingValidation, ValidateMappingOptions } from './validate';
export { validateMapping } from './validate';
