/**
 * The contract every transform (built-in or custom) follows. A transform is data in the mapping
 * document (`{ type, ...args }`); its zod schema validates the arguments when the mapping is
 * saved, `create` turns validated arguments into a plain function once per compile, and
 * `inverse` says how the reverse (write-back) mapping undoes it.
 *
 * Conventions every built-in keeps, and custom transforms should:
 * - `null` and `undefined` pass through unchanged (except `default`, `coalesce`, `concat`,
 *   `template`, which exist to deal with missing values);
 * - bad input throws `TransformFailure` with a reason that names no value.
 */
import type { z } from 'zod';

import { TransformFailure, valueTypeOf } from '../errors';
import type { Pipeline } from '../schema';

export type TransformFn = (value: unknown) => unknown;

export interface NormalizedTransform {
  readonly type: string;
  readonly args: Readonly<Record<string, unknown>>;
}

export type RuleSide = 'inbound' | 'outbound';

export type Inverse =
  /** The reverse writes the canonical value back as it is (casts and normalisers such as `trim`). */
  | { readonly kind: 'identity' }
  | { readonly kind: 'steps'; readonly steps: readonly NormalizedTransform[] }
  | { readonly kind: 'none'; readonly reason: string };

export const IDENTITY: Inverse = { kind: 'identity' };
export const notInvertible = (reason: string): Inverse => ({ kind: 'none', reason });
export const invertTo = (type: string, args: Readonly<Record<string, unknown>> = {}): Inverse => ({
  kind: 'steps',
  steps: [{ type, args }],
});

export interface CompileEnv {
  /** Compiles a nested pipeline (e.g. the one `map` applies to each element). */
  compilePipeline(pipeline: Pipeline): TransformFn;
  /** Inverts a nested pipeline, for transforms whose inverse wraps another pipeline. */
  invertPipeline(pipeline: Pipeline): Inverse;
}

export interface InverseContext extends CompileEnv {
  /** Which list the rule sits in; a lookup's default direction depends on it. */
  readonly side: RuleSide;
}

export interface TransformDefinition<A> {
  readonly name: string;
  /** One line for docs and the admin UI. */
  readonly description: string;
  readonly args: z.ZodType<A>;
  readonly create: (args: A, env: CompileEnv) => TransformFn;
  /** Omitted = not invertible. */
  readonly inverse?: (args: A, ctx: InverseContext) => Inverse;
  /** Pipelines nested in the arguments, so validation can check them too. */
  readonly nested?: (args: A) => readonly Pipeline[];
}

export interface ArgProblem {
  readonly path: string;
  readonly message: string;
}

/** A definition with its argument type erased, as the registry stores it. */
export interface RegisteredTransform {
  readonly name: string;
  readonly description: string;
  readonly kind: 'value' | 'lookup';
  parseArgs(
    raw: Readonly<Record<string, unknown>>,
  ): { ok: true; args: unknown } | { ok: false; problems: ArgProblem[] };
  create(args: unknown, env: CompileEnv): TransformFn;
  inverse(args: unknown, ctx: InverseContext): Inverse;
  nested(args: unknown): readonly Pipeline[];
}

export function defineTransform<A>(
  def: TransformDefinition<A>,
  kind: 'value' | 'lookup' = 'value',
): RegisteredTransform {
  // `args` reaching create/inverse/nested were produced by `def.args`, so the cast only restores
  // the type the registry erased.
  const typed = (args: unknown): A => args as A;
  return {
    name: def.name,
    description: def.description,
    kind,
    parseArgs(raw) {
      const r = def.args.safeParse(raw);
      if (r.success) return { ok: true, args: r.data };
      return {
        ok: false,
        problems: r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      };
    },
    create: (args, env) => def.create(typed(args), env),
    inverse: (args, ctx) =>
      def.inverse ? def.inverse(typed(args), ctx) : notInvertible(`${def.name} is not invertible`),
    nested: (args) => (def.nested ? def.nested(typed(args)) : []),
  };
}

export function fail(reason: string): never {
  throw new TransformFailure(reason);
}

/** Longest string the text-processing transforms accept; bigger input is refused, not chewed on. */
export const MAX_TEXT_LENGTH = 1_000_000;

export function expectString(value: unknown, maxLength = MAX_TEXT_LENGTH): string {
  if (typeof value !== 'string') fail(`expected a string, got ${valueTypeOf(value)}`);
  if (value.length > maxLength) fail(`string longer than ${maxLength} characters`);
  return value;
}

export function expectFiniteNumber(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    fail(`expected a finite number, got ${valueTypeOf(value)}`);
  return value;
}

export function expectArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) fail(`expected an array, got ${valueTypeOf(value)}`);
  return value;
}

export const isNullish = (value: unknown): value is null | undefined => value === undefined || value === null;

/** Wraps `fn` so null/undefined pass through untouched, the convention of nearly every transform. */
export function nullSafe(fn: TransformFn): TransformFn {
  return (value) => (value === undefined || value === null ? value : fn(value));
}
