/**
 * Evaluates a parsed Bicep deployment the way ARM would expand it, as far as that can be known
 * offline: parameters (from main.parameters.json, defaults or test overrides), vars, module
 * parameters and outputs, for-loops and conditions. Values only Azure knows (resource ids,
 * endpoints, uniqueString…) become `Opaque` values that keep their origin, so the checks can
 * still prove *which* resource a setting or an id points at.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

import { type BicepFile, type Decl, type Expr, parseBicep } from './parse';

export interface Origin {
  readonly resource: ResourceInstance;
  /** Property path read from the resource, e.g. ['properties', 'principalId'] or ['id']. */
  readonly path: readonly string[];
}

/** A value only Azure knows at deployment time. `text` is stable, so equal texts mean the same value. */
export class Opaque {
  constructor(
    readonly text: string,
    readonly origin?: Origin,
    readonly parts: readonly Value[] = [],
  ) {}
}

export class ResourceRef {
  constructor(readonly instance: ResourceInstance) {}
}

export class ResourceCollection {
  constructor(readonly instances: readonly ResourceInstance[]) {}
}

export class ModuleRef {
  constructor(readonly module: ModuleInstance) {}
}

export class ModuleCollection {
  constructor(readonly modules: readonly ModuleInstance[]) {}
}

class OutputsRef {
  constructor(readonly module: ModuleInstance) {}
}

class LambdaValue {
  constructor(
    readonly params: readonly string[],
    readonly body: Expr,
    readonly scope: ModuleInstance,
    readonly locals: Locals,
  ) {}
}

export type Value =
  | string
  | number
  | boolean
  | null
  | readonly Value[]
  | ValueObject
  | Opaque
  | ResourceRef
  | ResourceCollection
  | ModuleRef
  | ModuleCollection
  | OutputsRef
  | LambdaValue;

export interface ValueObject {
  readonly [key: string]: Value;
}

type Locals = ReadonlyMap<string, Value>;
type ObjectExpr = Extract<Expr, { kind: 'object' }>;
type ResourceDecl = Extract<Decl, { kind: 'resource' }>;
type ModuleDecl = Extract<Decl, { kind: 'module' }>;

export class BicepEvalError extends Error {
  override readonly name = 'BicepEvalError';
}

const NO_LOCALS: Locals = new Map();

export function isPlainObject(v: Value | undefined): v is ValueObject {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype
  );
}

export function isArray(v: Value | undefined): v is readonly Value[] {
  return Array.isArray(v);
}

/** True when the value contains anything Azure decides at deployment time. */
export function containsOpaque(v: Value): boolean {
  if (v instanceof Opaque) return true;
  if (isArray(v)) return v.some(containsOpaque);
  if (isPlainObject(v)) return Object.values(v).some(containsOpaque);
  return false;
}

export function render(v: Value): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  if (v instanceof Opaque) return v.text;
  if (v instanceof ResourceRef) return `ref(${v.instance.label})`;
  if (v instanceof ResourceCollection) return `refs(${v.instances.map((i) => i.label).join(', ')})`;
  if (v instanceof ModuleRef) return `module(${v.module.label})`;
  if (v instanceof ModuleCollection) return `modules(${v.modules.map((m) => m.label).join(', ')})`;
  if (v instanceof OutputsRef) return `outputs(${v.module.label})`;
  if (v instanceof LambdaValue) return `lambda(${v.params.join(', ')})`;
  if (isArray(v)) return `[${v.map(render).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${k}: ${render(x)}`)
    .join(', ')}}`;
}

function deepEqual(a: Value, b: Value): boolean {
  if (isArray(a) && isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i] ?? null));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => k in b && deepEqual(a[k] ?? null, b[k] ?? null))
    );
  }
  return a === b;
}

function fragment(v: Value): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v)
    : `\${${render(v)}}`;
}

export class ResourceInstance {
  private readonly propCache = new Map<string, Value>();
  private readonly evaluating = new Set<string>();

  constructor(
    readonly module: ModuleInstance,
    readonly decl: ResourceDecl,
    readonly index: number | undefined,
    private readonly locals: Locals,
    readonly condition: Value,
    private readonly bodyExpr: ObjectExpr,
  ) {}

  get symbol(): string {
    return this.decl.name;
  }
  get type(): string {
    return this.decl.type;
  }
  get apiVersion(): string {
    return this.decl.apiVersion;
  }
  get existing(): boolean {
    return this.decl.existing;
  }
  get label(): string {
    return `${this.module.label}:${this.symbol}${this.index === undefined ? '' : `[${this.index}]`}`;
  }
  /** False when its own condition or its module's is known false; an unknown condition counts as deployed. */
  get active(): boolean {
    return this.condition !== false && this.module.active;
  }
  /** True when deployment depends on a value only known at deploy time (e.g. an optional principal). */
  get conditional(): boolean {
    return this.condition instanceof Opaque || this.module.conditional;
  }

  has(key: string): boolean {
    return this.bodyExpr.props.some((p) => p.key === key);
  }

  prop(key: string): Value {
    const cached = this.propCache.get(key);
    if (cached !== undefined || this.propCache.has(key)) return cached ?? null;
    const expr = this.bodyExpr.props.find((p) => p.key === key)?.value;
    if (expr === undefined) return null;
    if (this.evaluating.has(key)) throw new BicepEvalError(`${this.label}.${key} depends on itself`);
    this.evaluating.add(key);
    try {
      const value = this.module.evaluate(expr, this.locals);
      this.propCache.set(key, value);
      return value;
    } finally {
      this.evaluating.delete(key);
    }
  }

  /** The whole evaluated body (name, location, properties…). */
  get body(): ValueObject {
    const out: Record<string, Value> = {};
    for (const p of this.bodyExpr.props) out[p.key] = this.prop(p.key);
    return out;
  }

  get properties(): ValueObject {
    const props = this.prop('properties');
    return isPlainObject(props) ? props : {};
  }

  get name(): Value {
    return this.prop('name');
  }

  get parent(): ResourceInstance | undefined {
    const parent = this.prop('parent');
    if (parent === null) return undefined;
    if (!(parent instanceof ResourceRef)) throw new BicepEvalError(`${this.label}.parent is not a resource`);
    return parent.instance;
  }

  /** The ARM name including parents, e.g. `<namespace>/sync-outbound`; opaque parts render as text. */
  get fullName(): string {
    const own = this.name;
    const text = typeof own === 'string' ? own : render(own);
    const parent = this.parent;
    return parent === undefined ? text : `${parent.fullName}/${text}`;
  }
}

export class ModuleInstance {
  private readonly byName = new Map<string, Decl>();
  /** Outputs live in their own namespace: `output name` may share a param's name. */
  private readonly outputs = new Map<string, Extract<Decl, { kind: 'output' }>>();
  private readonly varCache = new Map<string, Value>();
  private readonly paramCache = new Map<string, Value>();
  private readonly resourceCache = new Map<string, ResourceInstance[]>();
  private readonly moduleCache = new Map<string, ModuleInstance[]>();
  private readonly outputCache = new Map<string, Value>();
  private readonly evaluating = new Set<string>();

  constructor(
    readonly project: Project,
    readonly file: BicepFile,
    readonly label: string,
    private readonly args: ReadonlyMap<string, () => Value>,
    readonly condition: Value,
    readonly parentModule: ModuleInstance | undefined,
  ) {
    for (const decl of file.decls) {
      if (decl.kind === 'output') this.outputs.set(decl.name, decl);
      else if (decl.kind !== 'metadata' && decl.kind !== 'targetScope') this.byName.set(decl.name, decl);
    }
  }

  get active(): boolean {
    return this.condition !== false && (this.parentModule?.active ?? true);
  }

  get conditional(): boolean {
    return this.condition instanceof Opaque || (this.parentModule?.conditional ?? false);
  }

  get decls(): readonly Decl[] {
    return this.file.decls;
  }

  private guard<T>(key: string, fn: () => T): T {
    if (this.evaluating.has(key)) throw new BicepEvalError(`${this.label}: ${key} depends on itself`);
    this.evaluating.add(key);
    try {
      return fn();
    } finally {
      this.evaluating.delete(key);
    }
  }

  param(name: string): Value {
    if (this.paramCache.has(name)) return this.paramCache.get(name) ?? null;
    const decl = this.byName.get(name);
    if (decl?.kind !== 'param') throw new BicepEvalError(`${this.label}: no param '${name}'`);
    const value = this.guard(`param ${name}`, () => {
      const arg = this.args.get(name);
      if (arg !== undefined) return arg();
      if (decl.defaultValue !== undefined) return this.evaluate(decl.defaultValue, NO_LOCALS);
      return new Opaque(`param(${this.label}.${name})`);
    });
    this.paramCache.set(name, value);
    return value;
  }

  variable(name: string): Value {
    if (this.varCache.has(name)) return this.varCache.get(name) ?? null;
    const decl = this.byName.get(name);
    if (decl?.kind !== 'var') throw new BicepEvalError(`${this.label}: no var '${name}'`);
    const value = this.guard(`var ${name}`, () => this.evaluate(decl.value, NO_LOCALS));
    this.varCache.set(name, value);
    return value;
  }

  output(name: string): Value {
    if (this.outputCache.has(name)) return this.outputCache.get(name) ?? null;
    const decl = this.outputs.get(name);
    if (decl === undefined) throw new BicepEvalError(`${this.label}: no output '${name}'`);
    const value = this.guard(`output ${name}`, () => this.evaluate(decl.value, NO_LOCALS));
    this.outputCache.set(name, value);
    return value;
  }

  outputNames(): string[] {
    return this.decls.flatMap((d) => (d.kind === 'output' ? [d.name] : []));
  }

  /** Every instance of a resource declaration (one per loop iteration, inactive ones included). */
  resourceInstances(symbol: string): ResourceInstance[] {
    const cached = this.resourceCache.get(symbol);
    if (cached !== undefined) return cached;
    const decl = this.byName.get(symbol);
    if (decl?.kind !== 'resource') throw new BicepEvalError(`${this.label}: no resource '${symbol}'`);
    const instances = this.guard(`resource ${symbol}`, () =>
      this.expand(decl.body, decl.name).map(
        (e) => new ResourceInstance(this, decl, e.index, e.locals, e.condition, e.object),
      ),
    );
    this.resourceCache.set(symbol, instances);
    return instances;
  }

  moduleInstances(symbol: string): ModuleInstance[] {
    const cached = this.moduleCache.get(symbol);
    if (cached !== undefined) return cached;
    const decl = this.byName.get(symbol);
    if (decl?.kind !== 'module') throw new BicepEvalError(`${this.label}: no module '${symbol}'`);
    const instances = this.guard(`module ${symbol}`, () =>
      this.expand(decl.body, decl.name).map((e) => this.instantiate(decl, e)),
    );
    this.moduleCache.set(symbol, instances);
    return instances;
  }

  private instantiate(
    decl: ModuleDecl,
    e: { index: number | undefined; locals: Locals; condition: Value; object: ObjectExpr },
  ): ModuleInstance {
    const file = this.project.file(join(dirname(this.file.path), decl.path));
    const paramsExpr = e.object.props.find((p) => p.key === 'params')?.value;
    const args = new Map<string, () => Value>();
    if (paramsExpr !== undefined) {
      if (paramsExpr.kind !== 'object')
        throw new BicepEvalError(`${this.label}:${decl.name}: params must be an object literal`);
      for (const p of paramsExpr.props) args.set(p.key, () => this.evaluate(p.value, e.locals));
    }
    const label = `${this.label}/${decl.name}${e.index === undefined ? '' : `[${e.index}]`}`;
    return new ModuleInstance(this.project, file, label, args, e.condition, this);
  }

  private expand(
    body: Expr,
    symbol: string,
  ): { index: number | undefined; locals: Locals; condition: Value; object: ObjectExpr }[] {
    const asObject = (expr: Expr): ObjectExpr => {
      if (expr.kind !== 'object') throw new BicepEvalError(`${this.label}:${symbol}: body must be an object`);
      return expr;
    };
    if (body.kind === 'object')
      return [{ index: undefined, locals: NO_LOCALS, condition: true, object: body }];
    if (body.kind === 'if') {
      return [
        {
          index: undefined,
          locals: NO_LOCALS,
          condition: this.evaluate(body.cond, NO_LOCALS),
          object: asObject(body.body),
        },
      ];
    }
    if (body.kind === 'for') {
      const items = this.evaluate(body.iterable, NO_LOCALS);
      if (!isArray(items))
        throw new BicepEvalError(`${this.label}:${symbol}: cannot expand a loop over ${render(items)}`);
      return items.map((item, index) => {
        const locals = new Map<string, Value>([[body.itemVar, item]]);
        if (body.indexVar !== undefined) locals.set(body.indexVar, index);
        const inner = body.body;
        if (inner.kind === 'if') {
          return {
            index,
            locals,
            condition: this.evaluate(inner.cond, locals),
            object: asObject(inner.body),
          };
        }
        return { index, locals, condition: true, object: asObject(inner) };
      });
    }
    throw new BicepEvalError(`${this.label}:${symbol}: unsupported declaration body`);
  }

  /** This module's resource instances and those of every module below it. */
  allResources(): ResourceInstance[] {
    const own = this.decls.flatMap((d) => (d.kind === 'resource' ? this.resourceInstances(d.name) : []));
    return [...own, ...this.childModules().flatMap((m) => m.allResources())];
  }

  childModules(): ModuleInstance[] {
    return this.decls.flatMap((d) => (d.kind === 'module' ? this.moduleInstances(d.name) : []));
  }

  evaluate(expr: Expr, locals: Locals): Value {
    switch (expr.kind) {
      case 'string': {
        const parts = expr.parts.map((p) => (typeof p === 'string' ? p : this.evaluate(p, locals)));
        if (parts.every((p) => typeof p === 'string' || typeof p === 'number' || typeof p === 'boolean')) {
          return parts.map(String).join('');
        }
        // '${x}' alone is x as a string; keep the value itself so its origin stays visible.
        const only = parts[0];
        if (parts.length === 1 && only instanceof Opaque) return only;
        return new Opaque(parts.map(fragment).join(''), undefined, parts);
      }
      case 'number':
      case 'bool':
        return expr.value;
      case 'null':
        return null;
      case 'ident':
        return this.lookup(expr.name, locals, expr.pos.line);
      case 'object': {
        const out: Record<string, Value> = {};
        for (const p of expr.props) {
          const key = p.keyExpr === undefined ? p.key : this.evaluate(p.keyExpr, locals);
          out[typeof key === 'string' ? key : render(key)] = this.evaluate(p.value, locals);
        }
        return out;
      }
      case 'array':
        return expr.items.map((item) => this.evaluate(item, locals));
      case 'member':
        return this.member(this.evaluate(expr.object, locals), expr.property, expr.safe, expr.pos.line);
      case 'index':
        return this.indexInto(
          this.evaluate(expr.object, locals),
          this.evaluate(expr.index, locals),
          expr.pos.line,
        );
      case 'call':
        return this.call(expr, locals);
      case 'ternary': {
        const cond = this.evaluate(expr.cond, locals);
        if (cond === true) return this.evaluate(expr.then, locals);
        if (cond === false) return this.evaluate(expr.otherwise, locals);
        if (cond instanceof Opaque) {
          const then = this.evaluate(expr.then, locals);
          const otherwise = this.evaluate(expr.otherwise, locals);
          return new Opaque(`(${cond.text} ? ${render(then)} : ${render(otherwise)})`, undefined, [
            then,
            otherwise,
          ]);
        }
        throw new BicepEvalError(
          `${this.file.path}:${expr.pos.line}: condition is not a bool: ${render(cond)}`,
        );
      }
      case 'binary':
        return this.binary(expr.op, expr.left, expr.right, locals, expr.pos.line);
      case 'unary': {
        const operand = this.evaluate(expr.operand, locals);
        if (operand instanceof Opaque) return new Opaque(`${expr.op}${operand.text}`, undefined, [operand]);
        if (expr.op === '!' && typeof operand === 'boolean') return !operand;
        if (expr.op === '-' && typeof operand === 'number') return -operand;
        throw new BicepEvalError(`${this.file.path}:${expr.pos.line}: bad operand for ${expr.op}`);
      }
      case 'for': {
        const items = this.evaluate(expr.iterable, locals);
        if (!isArray(items))
          throw new BicepEvalError(`${this.file.path}:${expr.pos.line}: cannot loop over ${render(items)}`);
        const out: Value[] = [];
        items.forEach((item, index) => {
          const inner = new Map(locals);
          inner.set(expr.itemVar, item);
          if (expr.indexVar !== undefined) inner.set(expr.indexVar, index);
          if (expr.body.kind === 'if') {
            const keep = this.evaluate(expr.body.cond, inner);
            if (keep === true) out.push(this.evaluate(expr.body.body, inner));
            else if (keep !== false)
              throw new BicepEvalError(`${this.file.path}:${expr.pos.line}: unknown loop filter`);
          } else {
            out.push(this.evaluate(expr.body, inner));
          }
        });
        return out;
      }
      case 'if':
        throw new BicepEvalError(`${this.file.path}:${expr.pos.line}: 'if' is only allowed on declarations`);
      case 'lambda':
        return new LambdaValue(expr.params, expr.body, this, locals);
    }
  }

  private lookup(name: string, locals: Locals, line: number): Value {
    if (locals.has(name)) return locals.get(name) ?? null;
    const decl = this.byName.get(name);
    switch (decl?.kind) {
      case 'param':
        return this.param(name);
      case 'var':
        return this.variable(name);
      case 'resource': {
        const instances = this.resourceInstances(name);
        const single = instances[0];
        return decl.body.kind === 'for' || single === undefined
          ? new ResourceCollection(instances)
          : new ResourceRef(single);
      }
      case 'module': {
        const instances = this.moduleInstances(name);
        const single = instances[0];
        return decl.body.kind === 'for' || single === undefined
          ? new ModuleCollection(instances)
          : new ModuleRef(single);
      }
      default:
        throw new BicepEvalError(`${this.file.path}:${line}: '${name}' is not declared`);
    }
  }

  private member(obj: Value, prop: string, safe: boolean, line: number): Value {
    if (obj instanceof ResourceRef) {
      if (prop === 'name') return obj.instance.name;
      return new Opaque(`${obj.instance.label}.${prop}`, { resource: obj.instance, path: [prop] });
    }
    if (obj instanceof Opaque) {
      const origin =
        obj.origin === undefined
          ? undefined
          : { resource: obj.origin.resource, path: [...obj.origin.path, prop] };
      return new Opaque(`${obj.text}.${prop}`, origin, [obj]);
    }
    if (obj instanceof ModuleRef) {
      if (prop === 'outputs') return new OutputsRef(obj.module);
      throw new BicepEvalError(`${this.file.path}:${line}: modules only expose outputs`);
    }
    if (obj instanceof OutputsRef) return obj.module.output(prop);
    if (isPlainObject(obj)) {
      if (prop in obj) return obj[prop] ?? null;
      if (safe) return null;
      throw new BicepEvalError(`${this.file.path}:${line}: no property '${prop}' in ${render(obj)}`);
    }
    if (obj === null && safe) return null;
    throw new BicepEvalError(`${this.file.path}:${line}: cannot read '${prop}' of ${render(obj)}`);
  }

  private indexInto(obj: Value, index: Value, line: number): Value {
    if (obj instanceof ResourceCollection && typeof index === 'number') {
      const instance = obj.instances[index];
      if (instance === undefined)
        throw new BicepEvalError(`${this.file.path}:${line}: index ${index} out of range`);
      return new ResourceRef(instance);
    }
    if (obj instanceof ModuleCollection && typeof index === 'number') {
      const module = obj.modules[index];
      if (module === undefined)
        throw new BicepEvalError(`${this.file.path}:${line}: index ${index} out of range`);
      return new ModuleRef(module);
    }
    if (isArray(obj) && typeof index === 'number') {
      if (index < 0 || index >= obj.length)
        throw new BicepEvalError(`${this.file.path}:${line}: index ${index} out of range`);
      return obj[index] ?? null;
    }
    if (isPlainObject(obj) && typeof index === 'string') {
      if (!(index in obj)) throw new BicepEvalError(`${this.file.path}:${line}: no property '${index}'`);
      return obj[index] ?? null;
    }
    if (obj instanceof Opaque || index instanceof Opaque) {
      const origin =
        obj instanceof Opaque && obj.origin !== undefined
          ? { resource: obj.origin.resource, path: [...obj.origin.path, fragment(index)] }
          : undefined;
      return new Opaque(`${render(obj)}[${render(index)}]`, origin, [obj, index]);
    }
    throw new BicepEvalError(`${this.file.path}:${line}: cannot index ${render(obj)} with ${render(index)}`);
  }

  private binary(op: string, leftExpr: Expr, rightExpr: Expr, locals: Locals, line: number): Value {
    const left = this.evaluate(leftExpr, locals);
    if (op === '&&' && left === false) return false;
    if (op === '||' && left === true) return true;
    if (op === '??' && left !== null && !(left instanceof Opaque)) return left;
    const right = this.evaluate(rightExpr, locals);
    if (op === '??' && left === null) return right;
    if (op === '&&' && right === false) return false;
    if (op === '||' && right === true) return true;
    if (left instanceof Opaque || right instanceof Opaque) {
      if (
        (op === '==' || op === '=~') &&
        left instanceof Opaque &&
        right instanceof Opaque &&
        left.text === right.text
      ) {
        return true;
      }
      return new Opaque(`(${render(left)} ${op} ${render(right)})`, undefined, [left, right]);
    }
    switch (op) {
      case '&&':
      case '||':
        if (typeof left === 'boolean' && typeof right === 'boolean')
          return op === '&&' ? left && right : left || right;
        break;
      case '==':
        return deepEqual(left, right);
      case '!=':
        return !deepEqual(left, right);
      case '=~':
      case '!~':
        if (typeof left === 'string' && typeof right === 'string') {
          return (left.toLowerCase() === right.toLowerCase()) === (op === '=~');
        }
        break;
      default:
        if (typeof left === 'number' && typeof right === 'number') {
          const result = numeric(op, left, right);
          if (result !== undefined) return result;
        }
    }
    throw new BicepEvalError(
      `${this.file.path}:${line}: cannot apply ${op} to ${render(left)} and ${render(right)}`,
    );
  }

  private call(expr: Extract<Expr, { kind: 'call' }>, locals: Locals): Value {
    const args = expr.args.map((a) => this.evaluate(a, locals));
    if (expr.callee.kind === 'member') {
      const target = this.evaluate(expr.callee.object, locals);
      // Resource functions such as storage.listKeys(): always deployment-time, and kept visible by name.
      return new Opaque(
        `${render(target)}.${expr.callee.property}(${args.map(render).join(', ')})`,
        undefined,
        [target, ...args],
      );
    }
    if (expr.callee.kind !== 'ident')
      throw new BicepEvalError(`${this.file.path}:${expr.pos.line}: bad call`);
    return callBuiltin(
      expr.callee.name,
      args,
      (lambda, lambdaArgs) => this.apply(lambda, lambdaArgs),
      `${this.file.path}:${expr.pos.line}`,
    );
  }

  private apply(lambda: Value, args: readonly Value[]): Value {
    if (!(lambda instanceof LambdaValue))
      throw new BicepEvalError(`expected a lambda, got ${render(lambda)}`);
    const inner = new Map(lambda.locals);
    lambda.params.forEach((p, i) => inner.set(p, args[i] ?? null));
    return lambda.scope.evaluate(lambda.body, inner);
  }
}

function numeric(op: string, a: number, b: number): Value | undefined {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return Math.trunc(a / b);
    case '%':
      return a % b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      return undefined;
  }
}

/** Functions whose result only Azure knows. */
const DEPLOYMENT_TIME_FUNCTIONS = new Set([
  'uniqueString',
  'guid',
  'resourceGroup',
  'subscription',
  'tenant',
  'environment',
  'deployer',
  'deployment',
  'subscriptionResourceId',
  'resourceId',
  'extensionResourceId',
  'tenantResourceId',
  'reference',
  'utcNow',
  'newGuid',
  'listKeys',
  'listAccountSas',
  'listServiceSas',
]);

/** Pure functions evaluated here when their arguments are known. */
const PURE_FUNCTIONS: Readonly<Record<string, (args: readonly Value[], apply: Apply) => Value>> = {
  concat: (args) => (args.every(isArray) ? args.flatMap((a) => a) : args.map(fragment).join('')),
  union: (args) => {
    if (args.every(isArray)) return [...new Set(args.flat())];
    if (args.every(isPlainObject)) return Object.assign({}, ...args) as ValueObject;
    throw new BicepEvalError('union() needs arrays or objects');
  },
  empty: ([v]) => {
    if (v === null || v === undefined) return true;
    if (typeof v === 'string' || isArray(v)) return v.length === 0;
    if (isPlainObject(v)) return Object.keys(v).length === 0;
    throw new BicepEvalError('empty() needs a string, array or object');
  },
  length: ([v]) => {
    if (typeof v === 'string' || isArray(v)) return v.length;
    if (isPlainObject(v)) return Object.keys(v).length;
    throw new BicepEvalError('length() needs a string, array or object');
  },
  contains: ([container, item]) => {
    if (typeof container === 'string' && typeof item === 'string') return container.includes(item);
    if (isArray(container)) return container.some((x) => deepEqual(x, item ?? null));
    if (isPlainObject(container) && typeof item === 'string') return item in container;
    throw new BicepEvalError('contains() needs a string, array or object');
  },
  toLower: ([s]) => str(s).toLowerCase(),
  toUpper: ([s]) => str(s).toUpperCase(),
  string: ([v]) => (typeof v === 'string' ? v : JSON.stringify(v)),
  take: ([v, n]) => (typeof v === 'string' ? v.slice(0, num(n)) : arr(v).slice(0, num(n))),
  skip: ([v, n]) => (typeof v === 'string' ? v.slice(num(n)) : arr(v).slice(num(n))),
  replace: ([s, a, b]) => str(s).split(str(a)).join(str(b)),
  startsWith: ([s, p]) => str(s).startsWith(str(p)),
  endsWith: ([s, p]) => str(s).endsWith(str(p)),
  join: ([a, sep]) => arr(a).map(String).join(str(sep)),
  split: ([s, sep]) => str(s).split(str(sep)),
  range: ([start, count]) => Array.from({ length: num(count) }, (_, i) => num(start) + i),
  first: ([v]) => (typeof v === 'string' ? v.charAt(0) : (arr(v)[0] ?? null)),
  last: ([v]) => (typeof v === 'string' ? v.slice(-1) : (arr(v).at(-1) ?? null)),
  any: ([v]) => v ?? null,
  coalesce: (args) => args.find((a) => a !== null) ?? null,
  int: ([v]) => (typeof v === 'number' ? v : Number.parseInt(str(v), 10)),
  filter: ([a, f], apply) => arr(a).filter((x, i) => apply(f ?? null, [x, i]) === true),
  map: ([a, f], apply) => arr(a).map((x, i) => apply(f ?? null, [x, i])),
};

type Apply = (lambda: Value, args: readonly Value[]) => Value;

const READS_CONTENTS = new Set(['string', 'contains', 'join']);

export const KNOWN_FUNCTIONS: ReadonlySet<string> = new Set([
  ...DEPLOYMENT_TIME_FUNCTIONS,
  ...Object.keys(PURE_FUNCTIONS),
]);

function str(v: Value | undefined): string {
  if (typeof v !== 'string') throw new BicepEvalError(`expected a string, got ${render(v ?? null)}`);
  return v;
}
function num(v: Value | undefined): number {
  if (typeof v !== 'number') throw new BicepEvalError(`expected a number, got ${render(v ?? null)}`);
  return v;
}
function arr(v: Value | undefined): readonly Value[] {
  if (!isArray(v)) throw new BicepEvalError(`expected an array, got ${render(v ?? null)}`);
  return v;
}

function callBuiltin(name: string, args: readonly Value[], apply: Apply, where: string): Value {
  const opaqueCall = (): Opaque => new Opaque(`${name}(${args.map(render).join(', ')})`, undefined, args);
  if (DEPLOYMENT_TIME_FUNCTIONS.has(name)) return opaqueCall();
  const fn = PURE_FUNCTIONS[name];
  if (fn === undefined)
    throw new BicepEvalError(`${where}: function '${name}' is not supported by the offline checker`);
  // Structural functions (concat, union, length…) work on arrays and objects whose elements Azure
  // decides; functions that read contents need every part known.
  const unknown = READS_CONTENTS.has(name) ? containsOpaque : (a: Value): boolean => a instanceof Opaque;
  if (args.some(unknown)) return opaqueCall();
  return fn(args, apply);
}

/** Reads main.parameters.json the way azd does: `${VAR}` is only known at `azd up`, `${VAR=default}` falls back. */
export function readParametersFile(path: string): Record<string, Value> {
  const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const params = (json as { parameters?: Record<string, { value?: unknown }> }).parameters ?? {};
  const out: Record<string, Value> = {};
  for (const [name, entry] of Object.entries(params)) {
    const raw = entry.value;
    if (typeof raw === 'string') {
      const env = /^\$\{([A-Z0-9_]+)(?:=(.*))?\}$/.exec(raw);
      if (env !== null) {
        out[name] = env[2] ?? new Opaque(`env(${env[1] ?? ''})`);
        continue;
      }
      if (raw.includes('${'))
        throw new BicepEvalError(`${path}: parameter ${name} mixes text and env substitution`);
    }
    out[name] = raw as Value;
  }
  return out;
}

export class Project {
  private readonly files = new Map<string, BicepFile>();
  readonly main: ModuleInstance;

  /**
   * @param root folder holding main.bicep (infra/azure)
   * @param params values for main.bicep's params; anything absent falls back to its default
   */
  constructor(
    readonly root: string,
    params: Readonly<Record<string, Value>>,
    mainFile = 'main.bicep',
  ) {
    const args = new Map<string, () => Value>(Object.entries(params).map(([k, v]) => [k, () => v]));
    this.main = new ModuleInstance(this, this.file(mainFile), 'main', args, true, undefined);
  }

  /** Parses (once) a file given relative to root. */
  file(path: string): BicepFile {
    const key = normalize(path);
    const cached = this.files.get(key);
    if (cached !== undefined) return cached;
    const parsed = parseBicep(key, readFileSync(join(this.root, key), 'utf8'));
    this.files.set(key, parsed);
    return parsed;
  }

  modules(): ModuleInstance[] {
    const out: ModuleInstance[] = [];
    const visit = (m: ModuleInstance): void => {
      out.push(m);
      m.childModules().forEach(visit);
    };
    visit(this.main);
    return out;
  }

  /** Every resource that this deployment creates or updates (not `existing` references), active ones only. */
  deployedResources(): ResourceInstance[] {
    return this.main.allResources().filter((r) => !r.existing && r.active);
  }

  ofType(type: string): ResourceInstance[] {
    return this.deployedResources().filter((r) => r.type.toLowerCase() === type.toLowerCase());
  }

  /** The deployed instance an `existing` reference points at (same type and full name). */
  resolve(instance: ResourceInstance): ResourceInstance {
    if (!instance.existing) return instance;
    const match = this.ofType(instance.type).find((r) => r.fullName === instance.fullName);
    if (match === undefined) {
      throw new BicepEvalError(
        `${instance.label} refers to ${instance.type} '${instance.fullName}', which this deployment does not create`,
      );
    }
    return match;
  }
}
