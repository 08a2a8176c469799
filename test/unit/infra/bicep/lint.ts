/**
 * Static checks the Bicep compiler would make (and a few its linter makes), run on the parsed text:
 * every identifier is declared, every function is one the checker knows, every param and var is
 * used, and every module call passes the params its module declares.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { KNOWN_FUNCTIONS } from './evaluate';
import { type BicepFile, type Decl, type Expr, parseBicep } from './parse';

export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

const DECORATORS = new Set([
  'description',
  'allowed',
  'minLength',
  'maxLength',
  'minValue',
  'maxValue',
  'secure',
  'metadata',
  'batchSize',
]);

type Visit = (expr: Expr, scope: ReadonlySet<string>) => void;

function walk(expr: Expr, scope: ReadonlySet<string>, visit: Visit): void {
  visit(expr, scope);
  const recurse = (e: Expr, s: ReadonlySet<string> = scope): void => {
    walk(e, s, visit);
  };
  switch (expr.kind) {
    case 'string':
      expr.parts.forEach((p) => {
        if (typeof p !== 'string') recurse(p);
      });
      return;
    case 'object':
      expr.props.forEach((p) => {
        if (p.keyExpr !== undefined) recurse(p.keyExpr);
        recurse(p.value);
      });
      return;
    case 'array':
      expr.items.forEach((i) => {
        recurse(i);
      });
      return;
    case 'member':
      recurse(expr.object);
      return;
    case 'index':
      recurse(expr.object);
      recurse(expr.index);
      return;
    case 'call':
      // A bare function name is not a variable reference; a method call's target is.
      if (expr.callee.kind === 'member') recurse(expr.callee.object);
      expr.args.forEach((a) => {
        recurse(a);
      });
      return;
    case 'ternary':
      recurse(expr.cond);
      recurse(expr.then);
      recurse(expr.otherwise);
      return;
    case 'binary':
      recurse(expr.left);
      recurse(expr.right);
      return;
    case 'unary':
      recurse(expr.operand);
      return;
    case 'for': {
      recurse(expr.iterable);
      const inner = new Set(scope);
      inner.add(expr.itemVar);
      if (expr.indexVar !== undefined) inner.add(expr.indexVar);
      recurse(expr.body, inner);
      return;
    }
    case 'if':
      recurse(expr.cond);
      recurse(expr.body);
      return;
    case 'lambda': {
      const inner = new Set(scope);
      expr.params.forEach((p) => inner.add(p));
      recurse(expr.body, inner);
      return;
    }
    default:
      return;
  }
}

function declExprs(decl: Decl): Expr[] {
  switch (decl.kind) {
    case 'targetScope':
    case 'metadata':
      return [decl.value];
    case 'param':
      return decl.defaultValue === undefined ? [] : [decl.defaultValue];
    case 'var':
    case 'output':
      return [decl.value];
    case 'resource':
    case 'module':
      return [decl.body];
  }
}

/** Undeclared identifiers, unknown functions or decorators, unused params and vars. */
export function lintFile(file: BicepFile): Problem[] {
  const problems: Problem[] = [];
  const report = (line: number, message: string): void => {
    problems.push({ file: file.path, line, message });
  };
  const symbols = new Map<string, Decl>();
  for (const decl of file.decls) {
    if (decl.kind === 'param' || decl.kind === 'var' || decl.kind === 'resource' || decl.kind === 'module') {
      if (symbols.has(decl.name)) report(decl.pos.line, `'${decl.name}' is declared twice`);
      symbols.set(decl.name, decl);
    }
  }
  const used = new Set<string>();
  const visit: Visit = (expr, scope) => {
    if (expr.kind === 'ident') {
      if (scope.has(expr.name)) return;
      if (symbols.has(expr.name)) used.add(expr.name);
      else report(expr.pos.line, `'${expr.name}' is not declared`);
    } else if (
      expr.kind === 'call' &&
      expr.callee.kind === 'ident' &&
      !KNOWN_FUNCTIONS.has(expr.callee.name)
    ) {
      report(expr.pos.line, `unknown function '${expr.callee.name}'`);
    }
  };
  for (const decl of file.decls) {
    if ('decorators' in decl) {
      for (const d of decl.decorators) {
        if (d.kind !== 'call' || d.callee.kind !== 'ident' || !DECORATORS.has(d.callee.name)) {
          report(decl.pos.line, 'unknown decorator');
          continue;
        }
        d.args.forEach((a) => {
          walk(a, new Set(), visit);
        });
      }
    }
    declExprs(decl).forEach((e) => {
      walk(e, new Set(), visit);
    });
  }
  for (const decl of file.decls) {
    if ((decl.kind === 'param' || decl.kind === 'var') && !used.has(decl.name)) {
      report(decl.pos.line, `${decl.kind} '${decl.name}' is declared but never used`);
    }
  }
  return problems;
}

function moduleParams(body: Expr): Extract<Expr, { kind: 'object' }> | undefined {
  const object =
    body.kind === 'for'
      ? body.body.kind === 'if'
        ? body.body.body
        : body.body
      : body.kind === 'if'
        ? body.body
        : body;
  if (object.kind !== 'object') return undefined;
  const params = object.props.find((p) => p.key === 'params')?.value;
  return params?.kind === 'object' ? params : undefined;
}

/** Every module call passes only params its module declares, and every param without a default. */
export function lintModuleCalls(root: string, file: BicepFile): Problem[] {
  const problems: Problem[] = [];
  for (const decl of file.decls) {
    if (decl.kind !== 'module') continue;
    const path = join(dirname(file.path), decl.path);
    const target = parseBicep(path, readFileSync(join(root, path), 'utf8'));
    const declared = new Map(target.decls.flatMap((d) => (d.kind === 'param' ? [[d.name, d] as const] : [])));
    const passed = moduleParams(decl.body);
    const passedKeys = new Set(passed?.props.map((p) => p.key) ?? []);
    for (const key of passedKeys) {
      if (!declared.has(key))
        problems.push({
          file: file.path,
          line: decl.pos.line,
          message: `module ${decl.name} passes '${key}', which ${path} does not declare`,
        });
    }
    for (const [name, param] of declared) {
      if (param.defaultValue === undefined && !passedKeys.has(name)) {
        problems.push({
          file: file.path,
          line: decl.pos.line,
          message: `module ${decl.name} does not pass required param '${name}' of ${path}`,
        });
      }
    }
  }
  return problems;
}
