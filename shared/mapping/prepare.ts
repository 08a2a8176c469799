/**
 * Turns a mapping document into checked, resolved rules for both directions: paths parsed,
 * transforms looked up and their arguments validated, target conflicts found, and the reverse
 * (internal → external) rules derived from the inbound ones. `validateMapping` reports what this
 * finds; `compileMapping` builds code from what it returns. One pass, so the two never disagree.
 */
import type { MappingProblem } from './errors';
import { countWildcards, formatPath, type ParsedPath, parsePath } from './paths';
import { normalizeSpec, pipelineSpecs, type TransformRegistry } from './registry';
import {
  type Condition,
  type FieldRule,
  type JsonValue,
  type MappingDocument,
  MappingDocumentSchema,
  type Pipeline,
} from './schema';
import type {
  CompileEnv,
  Inverse,
  NormalizedTransform,
  RegisteredTransform,
  RuleSide,
} from './transforms/types';

export interface PreparedStep {
  readonly def: RegisteredTransform;
  readonly args: unknown;
  readonly spec: NormalizedTransform;
}

export interface PreparedRule {
  readonly side: RuleSide;
  /** Position in the side's effective rule list (declared first, then derived). */
  readonly index: number;
  readonly origin: 'declared' | 'derived';
  /** Where the rule came from in the document, e.g. `inbound[3]`. */
  readonly docPath: string;
  /** undefined for a constant rule (only `default`). */
  readonly sources: readonly ParsedPath[] | undefined;
  readonly multiSource: boolean;
  readonly sourceText: string;
  readonly target: ParsedPath;
  readonly targetText: string;
  readonly steps: readonly PreparedStep[];
  readonly required: boolean;
  readonly hasDefault: boolean;
  readonly defaultValue: JsonValue | undefined;
  readonly when: Condition | undefined;
}

export interface NonInvertible {
  readonly docPath: string;
  readonly field: string;
  readonly external: string;
  readonly reason: string;
}

export interface PreparedMapping {
  readonly doc: MappingDocument;
  readonly inbound: readonly PreparedRule[];
  readonly outbound: readonly PreparedRule[];
  readonly declaredOutbound: number;
  readonly nonInvertible: readonly NonInvertible[];
  readonly hashIgnore: readonly ParsedPath[];
}

export type PrepareResult =
  | { ok: true; prepared: PreparedMapping; problems: readonly MappingProblem[] }
  | { ok: false; problems: readonly MappingProblem[] };

function zodPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out === '' ? '' : '.'}${String(p)}`;
  return out;
}

function mustParse(text: string): ParsedPath {
  const r = parsePath(text);
  // The schema already refused bad paths; this only narrows the type.
  if (!r.ok) throw new Error(`unreachable: ${r.reason}`);
  return r.path;
}

export function prepareMapping(input: unknown, registry: TransformRegistry): PrepareResult {
  const parsed = MappingDocumentSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => ({ path: zodPath(i.path), message: i.message })),
    };
  }
  const doc = parsed.data;
  const problems: MappingProblem[] = [];
  const env = makeEnv(registry);

  const resolvePipeline = (
    pipeline: Pipeline | undefined,
    docPath: string,
    field: string,
    side: RuleSide,
    nested: boolean,
  ): PreparedStep[] | undefined => {
    const specs = pipelineSpecs(pipeline);
    const steps: PreparedStep[] = [];
    let ok = true;
    for (const [k, raw] of specs.entries()) {
      const at = Array.isArray(pipeline) ? `${docPath}[${k}]` : docPath;
      const norm = normalizeSpec(raw);
      if (!norm.ok) {
        problems.push({ path: at, field, message: norm.message });
        ok = false;
        continue;
      }
      const def = registry.get(norm.spec.type);
      if (def === undefined) {
        problems.push({ path: at, field, message: `unknown transform "${norm.spec.type}"` });
        ok = false;
        continue;
      }
      const args = def.parseArgs(norm.spec.args);
      if (!args.ok) {
        for (const p of args.problems) {
          problems.push({
            path: p.path === '' ? at : `${at}.${p.path}`,
            field,
            message: `${def.name}: ${p.message}`,
          });
        }
        ok = false;
        continue;
      }
      if (def.kind === 'lookup' && nested) {
        problems.push({
          path: at,
          field,
          message: 'lookup must be a top-level step of a rule, not inside map',
        });
        ok = false;
      }
      for (const inner of def.nested(args.args)) {
        if (resolvePipeline(inner, `${at}.pipeline`, field, side, true) === undefined) ok = false;
      }
      steps.push({ def, args: args.args, spec: norm.spec });
    }
    return ok ? steps : undefined;
  };

  const prepareRule = (
    rule: FieldRule,
    side: RuleSide,
    index: number,
    docPath: string,
  ): PreparedRule | undefined => {
    const target = mustParse(rule.to);
    const targetText = formatPath(target);
    const sources =
      rule.from === undefined
        ? undefined
        : (Array.isArray(rule.from) ? rule.from : [rule.from]).map(mustParse);
    const multiSource = Array.isArray(rule.from);
    const sourceText = sources === undefined ? '' : sources.map(formatPath).join(',');
    const steps = resolvePipeline(rule.transform, `${docPath}.transform`, targetText, side, false);
    let ok = steps !== undefined;
    const lookups = (steps ?? []).filter((s) => s.def.kind === 'lookup').length;
    const srcWild = sources === undefined ? 0 : Math.max(...sources.map(countWildcards));
    const tgtWild = countWildcards(target);
    if (target[0]?.kind !== 'key') {
      problems.push({ path: `${docPath}.to`, field: targetText, message: 'a target must start with a key' });
      ok = false;
    }
    if (lookups > 1) {
      problems.push({
        path: `${docPath}.transform`,
        field: targetText,
        message: 'a rule can have at most one lookup',
      });
      ok = false;
    }
    if (lookups > 0 && tgtWild > 0) {
      problems.push({
        path: `${docPath}.to`,
        field: targetText,
        message: 'a rule with a lookup cannot write through a wildcard',
      });
      ok = false;
    }
    if (multiSource && srcWild > 0) {
      problems.push({
        path: `${docPath}.from`,
        field: targetText,
        message: 'several sources cannot use wildcards',
      });
      ok = false;
    }
    if (tgtWild > 0 && tgtWild !== srcWild) {
      problems.push({
        path: `${docPath}.to`,
        field: targetText,
        message: `target has ${tgtWild} wildcard(s) but the source has ${srcWild}; they must match (or the target has none)`,
      });
      ok = false;
    }
    if (!ok || steps === undefined) return undefined;
    return {
      side,
      index,
      origin: 'declared',
      docPath,
      sources,
      multiSource,
      sourceText,
      target,
      targetText,
      steps,
      required: rule.required ?? false,
      hasDefault: rule.default !== undefined,
      defaultValue: rule.default,
      when: rule.when,
    };
  };

  const inbound: PreparedRule[] = [];
  (doc.inbound ?? []).forEach((rule, i) => {
    const r = prepareRule(rule, 'inbound', inbound.length, `inbound[${i}]`);
    if (r !== undefined) inbound.push(r);
  });
  const outbound: PreparedRule[] = [];
  (doc.outbound ?? []).forEach((rule, i) => {
    const r = prepareRule(rule, 'outbound', outbound.length, `outbound[${i}]`);
    if (r !== undefined) outbound.push(r);
  });
  const declaredOutbound = outbound.length;

  // Derive write-back rules from inbound rules not covered by a declared outbound rule.
  const declaredTargets = new Set(outbound.map((r) => r.targetText));
  const nonInvertible: NonInvertible[] = [];
  (doc.inbound ?? []).forEach((rule, i) => {
    const docPath = `inbound[${i}]`;
    const fwd = inbound.find((r) => r.docPath === docPath);
    if (fwd === undefined || rule.reverse === false || fwd.sources === undefined) return;
    const external = fwd.sourceText;
    if (declaredTargets.has(external)) return;
    const no = (reason: string): void => {
      nonInvertible.push({ docPath, field: fwd.targetText, external, reason });
    };
    if (fwd.multiSource) {
      no('it reads several sources');
      return;
    }
    if (countWildcards(fwd.target) === 0 && countWildcards(fwd.sources[0] ?? []) > 0) {
      no('it collects a wildcard into one value');
      return;
    }
    let steps: PreparedStep[] | undefined;
    if (rule.reverse !== undefined) {
      steps = resolvePipeline(
        rule.reverse.transform,
        `${docPath}.reverse.transform`,
        fwd.targetText,
        'outbound',
        false,
      );
      if (steps === undefined) return;
    } else {
      if (rule.when !== undefined) {
        no('it has a `when` condition');
        return;
      }
      const inv = invertSteps(fwd.steps, env, 'inbound');
      if (inv.kind === 'none') {
        no(inv.reason);
        return;
      }
      steps = [];
      for (const spec of inv.kind === 'identity' ? [] : inv.steps) {
        const def = registry.get(spec.type);
        const args = def?.parseArgs(spec.args);
        if (def === undefined || args === undefined || !args.ok) {
          no(`its inverse ${spec.type} is not valid`);
          return;
        }
        steps.push({ def, args: args.args, spec });
      }
    }
    declaredTargets.add(external);
    outbound.push({
      side: 'outbound',
      index: outbound.length,
      origin: 'derived',
      docPath: rule.reverse !== undefined ? `${docPath}.reverse` : docPath,
      sources: [fwd.target],
      multiSource: false,
      sourceText: fwd.targetText,
      target: fwd.sources[0] ?? [],
      targetText: external,
      steps,
      // A write-back never invents data: a canonical field being absent just leaves the external one alone.
      required: false,
      hasDefault: false,
      defaultValue: undefined,
      when: undefined,
    });
  });

  checkTargets(inbound, problems);
  checkTargets(outbound, problems);

  const hashIgnore = (doc.hash?.ignore ?? []).map(mustParse);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    prepared: { doc, inbound, outbound, declaredOutbound, nonInvertible, hashIgnore },
    problems,
  };
}

export function invertSteps(steps: readonly PreparedStep[], env: CompileEnv, side: RuleSide): Inverse {
  const out: NormalizedTransform[] = [];
  for (let k = steps.length - 1; k >= 0; k--) {
    const step = steps[k];
    if (step === undefined) continue;
    const inv = step.def.inverse(step.args, { ...env, side });
    if (inv.kind === 'none') return inv;
    if (inv.kind === 'steps') out.push(...inv.steps);
  }
  return out.length === 0 ? { kind: 'identity' } : { kind: 'steps', steps: out };
}

function makeEnv(registry: TransformRegistry): CompileEnv {
  const env: CompileEnv = {
    compilePipeline: () => {
      throw new Error('compilePipeline is not available while preparing');
    },
    invertPipeline: (pipeline) => {
      const steps: PreparedStep[] = [];
      for (const raw of pipelineSpecs(pipeline)) {
        const norm = normalizeSpec(raw);
        if (!norm.ok) return { kind: 'none', reason: norm.message };
        const def = registry.get(norm.spec.type);
        const args = def?.parseArgs(norm.spec.args);
        if (def === undefined || args === undefined || !args.ok)
          return { kind: 'none', reason: 'invalid nested transform' };
        steps.push({ def, args: args.args, spec: norm.spec });
      }
      return invertSteps(steps, env, 'inbound');
    },
  };
  return env;
}

/**
 * Two rules of one direction may not write the same place, and one may not write inside
 * another's value (`a` and `a.b`), or address it as both an array and an object.
 */
function checkTargets(rules: readonly PreparedRule[], problems: MappingProblem[]): void {
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const a = rules[i];
      const b = rules[j];
      if (a === undefined || b === undefined) continue;
      const clash = targetClash(a.target, b.target);
      if (clash !== undefined) {
        problems.push({
          path: b.docPath,
          field: b.targetText,
          message: `target "${b.targetText}" ${clash} "${a.targetText}" (${a.docPath})`,
        });
      }
    }
  }
}

function targetClash(a: ParsedPath, b: ParsedPath): string | undefined {
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const x = a[k];
    const y = b[k];
    if (x === undefined || y === undefined) return undefined;
    if (x.kind !== y.kind) {
      return x.kind === 'key' || y.kind === 'key'
        ? 'uses as an array what another rule uses as an object:'
        : 'mixes an index and a wildcard with';
    }
    if (x.kind === 'key' && y.kind === 'key' && x.key !== y.key) return undefined;
    if (x.kind === 'index' && y.kind === 'index' && x.index !== y.index) return undefined;
  }
  if (a.length === b.length) return 'is also written by';
  return 'overlaps (one writes inside the other)';
}
