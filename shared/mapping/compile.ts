/**
 * Compiles a mapping document into functions, once per document (cached by its hash).
 *
 * Rules with plain paths (no wildcard, no lookup) become one generated JavaScript function per
 * direction: every path read and write is unrolled into property accesses with the keys as
 * JSON string literals, and every transform pipeline is a pre-built closure the generated code
 * calls at a monomorphic site. That is what lets the engine keep up with hand-written mapping
 * code. Generated code only ever contains: JSON.stringify'd keys of paths that passed
 * `parsePath` (which refuses `__proto__`, `constructor`, `prototype`), integer indexes, integer
 * rule numbers, and JSON literals of primitive defaults. Everything a tenant can write beyond
 * that (transform arguments, conditions, object defaults) stays data held in closures.
 *
 * Rules with wildcards and lookups run through the interpreter below, which is also the whole
 * engine when `codegen: false` (tests check both give the same results).
 *
 * Lookups are resolved per page: phase A runs every rule and collects the ids each lookup rule
 * needs, one `resolveLinks` call answers them all, phase B finishes the lookup rules.
 */
import type { LinkDirection, LinkLookup, LinkQuery } from '../ports/linkLookup';
import { compileCondition, type Predicate } from './conditions';
import { MappingConfigError, MappingError, type MappingIssue, TransformFailure, valueTypeOf } from './errors';
import { canonicalizeParsed, mappingHash, sha256 } from './hash';
import {
  countWildcards,
  formatPath,
  isPlainObject,
  type ParsedPath,
  PathConflict,
  readPath,
  writePath,
  writeWildcardPath,
} from './paths';
import { type PreparedMapping, type PreparedRule, type PreparedStep, prepareMapping } from './prepare';
import { defaultTransformRegistry, normalizeSpec, pipelineSpecs, type TransformRegistry } from './registry';
import type { JsonValue, MappingDocument } from './schema';
import { type LookupArgs, lookupDirection } from './transforms/lookup';
import type { CompileEnv, TransformFn } from './transforms/types';

export interface MappingContext {
  readonly tenantId: string;
  readonly integrationId: string;
  /** Needed when the mapping has lookups. */
  readonly links?: LinkLookup;
  readonly abortSignal?: AbortSignal;
}

export type MappedRecord = Record<string, unknown>;

export type MappedResult =
  { readonly ok: true; readonly value: MappedRecord } | { readonly ok: false; readonly error: MappingError };

export interface CompiledMapping {
  /** Hash of the mapping document; the compile cache key. */
  readonly hash: string;
  readonly resourceType: string;
  readonly document: MappingDocument;
  /** Whether each direction needs the links port (and so the async API). */
  readonly usesLookups: { readonly toInternal: boolean; readonly toExternal: boolean };
  /** external → canonical for one record; throws MappingError with every field problem. */
  toInternal(external: unknown, ctx: MappingContext): Promise<MappedRecord>;
  /** canonical → external for one record (declared outbound rules, then derived ones). */
  toExternal(internal: unknown, ctx: MappingContext): Promise<MappedRecord>;
  /** Synchronous forms for directions without lookups; they throw MappingConfigError otherwise. */
  toInternalSync(external: unknown): MappedRecord;
  toExternalSync(internal: unknown): MappedRecord;
  /** A page of records with all lookups resolved in one port call; one result per record, in order. */
  toInternalPage(records: readonly unknown[], ctx: MappingContext): Promise<MappedResult[]>;
  toExternalPage(records: readonly unknown[], ctx: MappingContext): Promise<MappedResult[]>;
  /** canonicalHash of a canonical record, leaving out the document's `hash.ignore` paths. */
  hashRecord(record: unknown): string;
}

export interface CompileOptions {
  readonly registry?: TransformRegistry;
  /** false = interpret every rule (for platforms that forbid `new Function`); default true. */
  readonly codegen?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Rule runtime

interface LookupStep {
  readonly resourceType: string;
  readonly direction: LinkDirection;
  readonly onMissing: 'error' | 'null' | 'keep';
  readonly queryKey: string;
}

interface RuleRuntime {
  readonly rule: PreparedRule;
  readonly read: (src: Record<string, unknown>) => unknown;
  readonly when: Predicate | undefined;
  /** Steps before the lookup (all steps when there is none). */
  readonly pre: TransformFn | undefined;
  readonly lookup: LookupStep | undefined;
  readonly post: TransformFn | undefined;
  readonly cloneDefault: () => unknown;
  readonly perLeaf: boolean;
  /** Writes a finished value at the target (paths without wildcards). */
  readonly write: (out: MappedRecord, value: unknown) => void;
}

const MAX_REASON = 300;

function annotate(e: unknown, transform: string, value: unknown): TransformFailure {
  if (e instanceof TransformFailure) {
    if (e.transform === undefined) {
      e.transform = transform;
      e.valueType = valueTypeOf(value);
    }
    return e;
  }
  if (e instanceof PathConflict) return annotate(new TransformFailure(e.message), transform, value);
  // A custom transform threw something else. Only the error's class is kept: its message may
  // quote the value, and issues end up in logs. Authors who want a reason throw TransformFailure.
  const kind = e instanceof Error ? e.name.slice(0, 60) : 'a non-error';
  const f = new TransformFailure(`transform threw ${kind}`);
  f.transform = transform;
  f.valueType = valueTypeOf(value);
  return f;
}

function wrapStep(name: string, fn: TransformFn): TransformFn {
  return (value) => {
    try {
      return fn(value);
    } catch (e) {
      throw annotate(e, name, value);
    }
  };
}

function compose(fns: readonly TransformFn[]): TransformFn | undefined {
  if (fns.length === 0) return undefined;
  if (fns.length === 1) return fns[0];
  const [a, b, c] = fns;
  if (fns.length === 2 && a !== undefined && b !== undefined) return (v) => b(a(v));
  if (fns.length === 3 && a !== undefined && b !== undefined && c !== undefined) return (v) => c(b(a(v)));
  return (v) => {
    let x = v;
    for (const f of fns) x = f(x);
    return x;
  };
}

function makeEnv(registry: TransformRegistry): CompileEnv {
  const env: CompileEnv = {
    compilePipeline: (pipeline) => {
      const fns = pipelineSpecs(pipeline).map((raw) => {
        const norm = normalizeSpec(raw);
        if (!norm.ok) throw new MappingConfigError([{ path: '', message: norm.message }]);
        const def = registry.get(norm.spec.type);
        const args = def?.parseArgs(norm.spec.args);
        if (def === undefined || args === undefined || !args.ok || def.kind !== 'value') {
          throw new MappingConfigError([{ path: '', message: `invalid nested transform ${norm.spec.type}` }]);
        }
        return wrapStep(def.name, def.create(args.args, env));
      });
      return compose(fns) ?? ((v: unknown) => v);
    },
    invertPipeline: () => ({ kind: 'none', reason: 'not available while compiling' }),
  };
  return env;
}

function buildStep(step: PreparedStep, env: CompileEnv): TransformFn {
  return wrapStep(step.def.name, step.def.create(step.args, env));
}

function makeCloner(value: JsonValue | undefined): () => unknown {
  if (value === undefined || value === null || typeof value !== 'object') return () => value;
  const text = JSON.stringify(value);
  return () => JSON.parse(text) as unknown;
}

function makeWriter(target: ParsedPath): (out: MappedRecord, value: unknown) => void {
  const only = target.length === 1 ? target[0] : undefined;
  if (only?.kind === 'key') {
    const key = only.key;
    // parsePath refused __proto__, so plain assignment defines an own property.
    return (out, value) => {
      out[key] = value;
    };
  }
  return (out, value) => {
    writePath(out, target, value);
  };
}

function buildRuntime(rule: PreparedRule, env: CompileEnv): RuleRuntime {
  const lookupAt = rule.steps.findIndex((s) => s.def.kind === 'lookup');
  const preSteps = lookupAt < 0 ? rule.steps : rule.steps.slice(0, lookupAt);
  const postSteps = lookupAt < 0 ? [] : rule.steps.slice(lookupAt + 1);
  let lookup: LookupStep | undefined;
  const lookupStep = lookupAt >= 0 ? rule.steps[lookupAt] : undefined;
  if (lookupStep !== undefined) {
    const args = lookupStep.args as LookupArgs;
    const direction = lookupDirection(args, rule.side);
    lookup = {
      resourceType: args.resourceType,
      direction,
      onMissing: args.onMissing ?? 'error',
      queryKey: JSON.stringify([direction, args.resourceType]),
    };
  }
  const sources = rule.sources;
  let read: (src: Record<string, unknown>) => unknown;
  if (sources === undefined) read = () => undefined;
  else if (rule.multiSource) read = (src) => sources.map((p) => readPath(src, p));
  else {
    const only = sources[0] ?? [];
    read = (src) => readPath(src, only);
  }
  return {
    rule,
    read,
    when: rule.when !== undefined ? compileCondition(rule.when) : undefined,
    pre: compose(preSteps.map((s) => buildStep(s, env))),
    lookup,
    post: compose(postSteps.map((s) => buildStep(s, env))),
    cloneDefault: makeCloner(rule.defaultValue),
    perLeaf: countWildcards(rule.target) > 0,
    write: makeWriter(rule.target),
  };
}

function issueOf(rule: PreparedRule, e: unknown, concretePath?: string): MappingIssue {
  const f = e instanceof TransformFailure ? e : annotate(e, 'engine', undefined);
  const issue: MappingIssue = {
    path: concretePath ?? f.at ?? rule.sourceText,
    target: rule.targetText,
    rule: rule.index,
    valueType: f.valueType ?? 'undefined',
    reason: f.message.slice(0, MAX_REASON),
  };
  return f.transform !== undefined && f.transform !== 'engine' ? { ...issue, transform: f.transform } : issue;
}

function requiredFailure(value: unknown): TransformFailure {
  const f = new TransformFailure(value === null ? 'required field is null' : 'required field is missing');
  f.valueType = valueTypeOf(value);
  return f;
}

/** Default and required, the last step of every rule. */
function finish(rt: RuleRuntime, value: unknown): unknown {
  let v = value;
  if ((v === undefined || v === null) && rt.rule.hasDefault) v = rt.cloneDefault();
  if ((v === undefined || v === null) && rt.rule.required) throw requiredFailure(v);
  return v;
}

/** Substitutes the concrete indexes of a wildcard write into the source path, for issue reports. */
function concreteSource(rule: PreparedRule, concreteTarget: ParsedPath): string {
  const indexes: number[] = [];
  concreteTarget.forEach((seg, k) => {
    if (rule.target[k]?.kind === 'wildcard' && seg.kind === 'index') indexes.push(seg.index);
  });
  const source = rule.sources?.[0] ?? [];
  let w = 0;
  return formatPath(
    source.map((seg) =>
      seg.kind === 'wildcard' && w < indexes.length ? { kind: 'index', index: indexes[w++] ?? 0 } : seg,
    ),
  );
}

function runInterpreted(
  rt: RuleRuntime,
  src: Record<string, unknown>,
  out: MappedRecord,
  issues: MappingIssue[],
): void {
  if (rt.when !== undefined && !rt.when(src)) return;
  const rule = rt.rule;
  if (rt.perLeaf) {
    let values: unknown;
    try {
      values = rt.read(src);
      // No array at the source: nothing to spread, and no empty container either.
      if (values === undefined) {
        if (rule.required) issues.push(issueOf(rule, requiredFailure(values)));
        return;
      }
      writeWildcardPath(out, rule.target, values, (leaf, concrete) => {
        try {
          return finish(rt, rt.pre !== undefined ? rt.pre(leaf) : leaf);
        } catch (e) {
          issues.push(issueOf(rule, e, concreteSource(rule, concrete)));
          return undefined;
        }
      });
    } catch (e) {
      issues.push(issueOf(rule, e));
    }
    return;
  }
  try {
    const raw = rt.read(src);
    const v = finish(rt, rt.pre !== undefined ? rt.pre(raw) : raw);
    if (v !== undefined) rt.write(out, v);
  } catch (e) {
    issues.push(issueOf(rule, e));
  }
}

// ---------------------------------------------------------------------------------------------
// Code generation for plain rules

type Generated = (src: Record<string, unknown>, out: MappedRecord, issues: MappingIssue[]) => void;

function isPlainRule(rule: PreparedRule): boolean {
  return (
    rule.steps.every((s) => s.def.kind !== 'lookup') &&
    countWildcards(rule.target) === 0 &&
    (rule.sources ?? []).every((p) => countWildcards(p) === 0)
  );
}

const lit = (key: string): string => JSON.stringify(key);

function readCode(path: ParsedPath, into: string): string {
  // `src` is a plain object (checked before the call); `t` walks the path.
  const lines: string[] = [];
  path.forEach((seg, k) => {
    const from = k === 0 ? 'src' : 't';
    if (seg.kind === 'key') {
      lines.push(
        k === 0
          ? `t = src[${lit(seg.key)}];`
          : `t = (t !== null && typeof t === "object" && !Array.isArray(t)) ? t[${lit(seg.key)}] : undefined;`,
      );
    } else if (seg.kind === 'index') {
      if (!Number.isSafeInteger(seg.index) || seg.index < 0) throw new Error('unreachable: bad index');
      lines.push(`t = Array.isArray(${from}) ? ${from}[${seg.index}] : undefined;`);
    }
  });
  lines.push(`${into} = typeof t === "function" ? undefined : t;`);
  return lines.join(' ');
}

function generate(rules: readonly RuleRuntime[]): string {
  // Containers (objects/arrays on the way to a target) get one local each, created on first
  // write; arrays where the next segment is an index.
  const arrayContainers = new Set<string>();
  for (const rt of rules) {
    const t = rt.rule.target;
    for (let k = 1; k < t.length; k++)
      if (t[k]?.kind === 'index') arrayContainers.add(formatPath(t.slice(0, k)));
  }
  const containerIds = new Map<string, number>();
  const containerOf = (prefix: ParsedPath): { name: string; ensure: string } => {
    if (prefix.length === 0) return { name: 'out', ensure: '' };
    const key = formatPath(prefix);
    let id = containerIds.get(key);
    if (id === undefined) {
      id = containerIds.size;
      containerIds.set(key, id);
    }
    const name = `c${id}`;
    const parent = containerOf(prefix.slice(0, -1));
    const fresh = arrayContainers.has(key) ? '[]' : '{}';
    const at = `${parent.name}${accessorCode(prefix[prefix.length - 1])}`;
    return {
      name,
      // Never read the container back from `out`: `out` is fresh and only these locals create
      // containers, and reading `out["toString"]` would hand back an inherited built-in.
      ensure: `if (${name} === undefined) { ${parent.ensure} ${name} = ${fresh}; ${at} = ${name}; }`,
    };
  };

  const body = rules.map((rt, i) => {
    const rule = rt.rule;
    const lines: string[] = [];
    if (rule.sources === undefined) lines.push('v = undefined;');
    else if (rule.multiSource) {
      rule.sources.forEach((p, k) => {
        lines.push(readCode(p, `m${k}`));
      });
      lines.push(`v = [${rule.sources.map((_p, k) => `m${k}`).join(', ')}];`);
    } else lines.push(readCode(rule.sources[0] ?? [], 'v'));
    if (rt.pre !== undefined) lines.push(`v = p${i}(v);`);
    if (rule.hasDefault) {
      const d = rule.defaultValue;
      const expr = d === null || typeof d !== 'object' ? JSON.stringify(d) : `d${i}()`;
      lines.push(`if (v === undefined || v === null) v = ${expr};`);
    }
    lines.push(
      rule.required
        ? `if (v === undefined || v === null) { R(issues, ${i}, v); } else {`
        : 'if (v !== undefined) {',
    );
    const target = rule.target;
    const parent = containerOf(target.slice(0, -1));
    lines.push(`${parent.ensure} ${parent.name}${accessorCode(target[target.length - 1])} = v; }`);
    const guarded = rt.when !== undefined ? [`if (w${i}(src)) {`, ...lines, '}'] : lines;
    return `/* rule ${i} */ try { ${guarded.join(' ')} } catch (e) { F(issues, ${i}, e); }`;
  });

  const locals = [
    't',
    'v',
    ...[...containerIds.values()].map((id) => `c${id}`),
    ...Array.from({ length: 20 }, (_x, k) => `m${k}`),
  ];
  const prelude = rules.map((rt, i) => {
    const parts: string[] = [];
    if (rt.pre !== undefined) parts.push(`const p${i} = P[${i}];`);
    if (rt.when !== undefined) parts.push(`const w${i} = W[${i}];`);
    if (rt.rule.hasDefault) parts.push(`const d${i} = D[${i}];`);
    return parts.join(' ');
  });
  return `"use strict";\n${prelude.join('\n')}\nreturn function mapRecord(src, out, issues) {\nlet ${locals.join(', ')};\n${body.join('\n')}\n};`;
}

function accessorCode(seg: ParsedPath[number] | undefined): string {
  if (seg === undefined || seg.kind === 'wildcard')
    throw new Error('unreachable: wildcard in generated write');
  if (seg.kind === 'index') {
    if (!Number.isSafeInteger(seg.index) || seg.index < 0) throw new Error('unreachable: bad index');
    return `[${seg.index}]`;
  }
  return `[${lit(seg.key)}]`;
}

function buildGenerated(rules: readonly RuleRuntime[]): Generated | undefined {
  if (rules.length === 0) return undefined;
  const source = generate(rules);
  const F = (issues: MappingIssue[], i: number, e: unknown): void => {
    const rt = rules[i];
    if (rt !== undefined) issues.push(issueOf(rt.rule, e));
  };
  const R = (issues: MappingIssue[], i: number, v: unknown): void => {
    const rt = rules[i];
    if (rt !== undefined) issues.push(issueOf(rt.rule, requiredFailure(v)));
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from validated paths only; see the file comment
  const factory = new Function('P', 'W', 'D', 'F', 'R', source) as (
    P: readonly (TransformFn | undefined)[],
    W: readonly (Predicate | undefined)[],
    D: readonly (() => unknown)[],
    F: (issues: MappingIssue[], i: number, e: unknown) => void,
    R: (issues: MappingIssue[], i: number, v: unknown) => void,
  ) => Generated;
  return factory(
    rules.map((r) => r.pre),
    rules.map((r) => r.when),
    rules.map((r) => r.cloneDefault),
    F,
    R,
  );
}

// ---------------------------------------------------------------------------------------------
// One direction

function badId(v: unknown): TransformFailure {
  const f = new TransformFailure(`lookup needs a string or number id, got ${valueTypeOf(v)}`);
  f.transform = 'lookup';
  f.valueType = valueTypeOf(v);
  return f;
}

/** Adds the ids in `value` (one id or an array of them) to `ids`; a failure for anything else. */
function collectIds(value: unknown, ids: Set<string>): TransformFailure | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    ids.add(value);
    return undefined;
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    ids.add(String(value));
    return undefined;
  }
  if (!Array.isArray(value)) return badId(value);
  for (const v of value as unknown[]) {
    if (v === undefined || v === null) continue;
    if (typeof v === 'string') ids.add(v);
    else if (typeof v === 'number' && Number.isFinite(v)) ids.add(String(v));
    else return badId(v);
  }
  return undefined;
}

function resolveId(v: unknown, step: LookupStep, found: ReadonlyMap<string, string> | undefined): unknown {
  if (v === undefined || v === null) return v;
  const hit = found?.get(typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
  if (hit !== undefined) return hit;
  if (step.onMissing === 'null') return null;
  if (step.onMissing === 'keep') return v;
  const f = new TransformFailure(`no ${step.resourceType} link for this id (${step.direction})`);
  f.transform = 'lookup';
  f.valueType = valueTypeOf(v);
  throw f;
}

/** Lookup inputs of a page, as parallel arrays (one entry per record and lookup rule). */
interface Pending {
  readonly record: number[];
  readonly rule: RuleRuntime[];
  readonly value: unknown[];
}

class DirectionProgram {
  private readonly generated: Generated | undefined;
  private readonly interpreted: readonly RuleRuntime[];
  private readonly lookupRules: readonly RuleRuntime[];

  constructor(
    readonly name: 'toInternal' | 'toExternal',
    rules: readonly PreparedRule[],
    env: CompileEnv,
    codegen: boolean,
  ) {
    const runtimes = rules.map((r) => buildRuntime(r, env));
    const plain = codegen ? runtimes.filter((rt) => isPlainRule(rt.rule)) : [];
    this.generated = buildGenerated(plain);
    this.interpreted = runtimes.filter((rt) => rt.lookup === undefined && !plain.includes(rt));
    this.lookupRules = runtimes.filter((rt) => rt.lookup !== undefined);
  }

  get usesLookups(): boolean {
    return this.lookupRules.length > 0;
  }

  /** Phase A for one record: everything but lookups; lookup inputs go to `pending`. */
  private phaseA(
    index: number,
    src: unknown,
    out: MappedRecord,
    issues: MappingIssue[],
    pending: Pending | undefined,
    queries: Map<string, { step: LookupStep; ids: Set<string> }> | undefined,
  ): void {
    if (!isPlainObject(src)) {
      issues.push({
        path: '',
        target: '',
        rule: -1,
        valueType: valueTypeOf(src),
        reason: 'record is not an object',
      });
      return;
    }
    if (this.generated !== undefined) this.generated(src, out, issues);
    for (const rt of this.interpreted) runInterpreted(rt, src, out, issues);
    if (pending === undefined || queries === undefined) return;
    for (const rt of this.lookupRules) {
      if (rt.when !== undefined && !rt.when(src)) continue;
      const step = rt.lookup;
      if (step === undefined) continue;
      let value: unknown;
      try {
        const raw = rt.read(src);
        value = rt.pre !== undefined ? rt.pre(raw) : raw;
      } catch (e) {
        issues.push(issueOf(rt.rule, e));
        continue;
      }
      let q = queries.get(step.queryKey);
      if (q === undefined) {
        q = { step, ids: new Set() };
        queries.set(step.queryKey, q);
      }
      const bad = collectIds(value, q.ids);
      if (bad !== undefined) {
        issues.push(issueOf(rt.rule, bad));
        continue;
      }
      pending.record.push(index);
      pending.rule.push(rt);
      pending.value.push(value);
    }
  }

  private finishLookup(
    rt: RuleRuntime,
    value: unknown,
    found: ReadonlyMap<string, string> | undefined,
    out: MappedRecord,
    issues: MappingIssue[],
  ): void {
    const step = rt.lookup;
    if (step === undefined) return;
    try {
      const resolved = Array.isArray(value)
        ? (value as unknown[]).map((v) => resolveId(v, step, found))
        : resolveId(value, step, found);
      const v = finish(rt, rt.post !== undefined ? rt.post(resolved) : resolved);
      if (v !== undefined) rt.write(out, v);
    } catch (e) {
      issues.push(issueOf(rt.rule, e));
    }
  }

  runSync(record: unknown): MappedRecord {
    if (this.usesLookups) {
      throw new MappingConfigError(
        [{ path: this.name, message: 'this direction uses lookups; call the async form' }],
        `mapping ${this.name} uses lookups: use ${this.name}() or ${this.name}Page()`,
      );
    }
    const out: MappedRecord = {};
    const issues: MappingIssue[] = [];
    this.phaseA(0, record, out, issues, undefined, undefined);
    if (issues.length > 0) throw new MappingError(issues);
    return out;
  }

  async runPage(records: readonly unknown[], ctx: MappingContext): Promise<MappedResult[]> {
    const n = records.length;
    const outs: MappedRecord[] = new Array<MappedRecord>(n);
    const issuesOf: (MappingIssue[] | undefined)[] = new Array<MappingIssue[] | undefined>(n);
    const pending: Pending | undefined = this.usesLookups ? { record: [], rule: [], value: [] } : undefined;
    const queries = this.usesLookups ? new Map<string, { step: LookupStep; ids: Set<string> }>() : undefined;
    // One issues array is reused until a record actually has issues.
    let scratch: MappingIssue[] = [];
    for (let i = 0; i < n; i++) {
      const out: MappedRecord = {};
      this.phaseA(i, records[i], out, scratch, pending, queries);
      outs[i] = out;
      if (scratch.length > 0) {
        issuesOf[i] = scratch;
        scratch = [];
      }
    }
    if (pending !== undefined && queries !== undefined && pending.record.length > 0) {
      const list = [...queries.values()].filter((q) => q.ids.size > 0);
      let answers: readonly ReadonlyMap<string, string>[] = [];
      if (list.length > 0) {
        if (ctx.links === undefined) {
          throw new MappingConfigError([
            { path: this.name, message: 'mapping uses lookups but the context has no links port' },
          ]);
        }
        const linkQueries: LinkQuery[] = list.map((q) => ({
          resourceType: q.step.resourceType,
          direction: q.step.direction,
          ids: [...q.ids],
        }));
        answers = await ctx.links.resolveLinks(
          { tenantId: ctx.tenantId, integrationId: ctx.integrationId },
          linkQueries,
          ctx.abortSignal !== undefined ? { abortSignal: ctx.abortSignal } : {},
        );
      }
      const byKey = new Map<string, ReadonlyMap<string, string>>();
      list.forEach((q, k) => {
        const a = answers[k];
        if (a !== undefined) byKey.set(q.step.queryKey, a);
      });
      for (let k = 0; k < pending.record.length; k++) {
        const record = pending.record[k] ?? 0;
        const rt = pending.rule[k];
        const out = outs[record];
        if (rt?.lookup === undefined || out === undefined) continue;
        let issues = issuesOf[record];
        if (issues === undefined) {
          issues = scratch;
          this.finishLookup(rt, pending.value[k], byKey.get(rt.lookup.queryKey), out, issues);
          if (issues.length > 0) {
            issuesOf[record] = issues;
            scratch = [];
          }
        } else {
          this.finishLookup(rt, pending.value[k], byKey.get(rt.lookup.queryKey), out, issues);
        }
      }
    }
    const results: MappedResult[] = new Array<MappedResult>(n);
    for (let i = 0; i < n; i++) {
      const issues = issuesOf[i];
      results[i] =
        issues !== undefined && issues.length > 0
          ? { ok: false, error: new MappingError(issues) }
          : { ok: true, value: outs[i] ?? {} };
    }
    return results;
  }
}

// ---------------------------------------------------------------------------------------------
// The compiled mapping and its cache

class Compiled implements CompiledMapping {
  readonly usesLookups: { readonly toInternal: boolean; readonly toExternal: boolean };
  readonly resourceType: string;
  readonly document: MappingDocument;

  constructor(
    readonly hash: string,
    private readonly prepared: PreparedMapping,
    private readonly inbound: DirectionProgram,
    private readonly outbound: DirectionProgram,
  ) {
    this.document = prepared.doc;
    this.resourceType = prepared.doc.resourceType;
    this.usesLookups = { toInternal: inbound.usesLookups, toExternal: outbound.usesLookups };
  }

  async toInternal(external: unknown, ctx: MappingContext): Promise<MappedRecord> {
    return unwrapOne(await this.inbound.runPage([external], ctx));
  }
  async toExternal(internal: unknown, ctx: MappingContext): Promise<MappedRecord> {
    return unwrapOne(await this.outbound.runPage([internal], ctx));
  }
  toInternalSync(external: unknown): MappedRecord {
    return this.inbound.runSync(external);
  }
  toExternalSync(internal: unknown): MappedRecord {
    return this.outbound.runSync(internal);
  }
  toInternalPage(records: readonly unknown[], ctx: MappingContext): Promise<MappedResult[]> {
    return this.inbound.runPage(records, ctx);
  }
  toExternalPage(records: readonly unknown[], ctx: MappingContext): Promise<MappedResult[]> {
    return this.outbound.runPage(records, ctx);
  }
  hashRecord(record: unknown): string {
    return sha256(canonicalizeParsed(record, this.prepared.hashIgnore));
  }
}

function unwrapOne(results: readonly MappedResult[]): MappedRecord {
  const r = results[0];
  if (r === undefined) return {};
  if (!r.ok) throw r.error;
  return r.value;
}

const CACHE_LIMIT = 500;
const caches = new WeakMap<TransformRegistry, Map<string, CompiledMapping>>();

/**
 * Compiles (or returns the cached compile of) a mapping document. Throws MappingConfigError
 * listing every problem when the document is invalid; direction-specific checks (e.g. the
 * bidirectional invertibility rule) belong to `validateMapping` at save time.
 */
export function compileMapping(doc: unknown, options: CompileOptions = {}): CompiledMapping {
  const registry = options.registry ?? defaultTransformRegistry;
  const codegen = options.codegen ?? true;
  const hash = mappingHash(doc);
  const key = codegen ? hash : `${hash}:interpreted`;
  let cache = caches.get(registry);
  if (cache === undefined) {
    cache = new Map();
    caches.set(registry, cache);
  }
  const hit = cache.get(key);
  if (hit !== undefined) {
    // Re-insert: Map order doubles as least-recently-used order.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const result = prepareMapping(doc, registry);
  if (!result.ok) throw new MappingConfigError(result.problems);
  const env = makeEnv(registry);
  const compiled = new Compiled(
    hash,
    result.prepared,
    new DirectionProgram('toInternal', result.prepared.inbound, env, codegen),
    new DirectionProgram('toExternal', result.prepared.outbound, env, codegen),
  );
  cache.set(key, compiled);
  if (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return compiled;
}
