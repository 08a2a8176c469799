/**
 * ASP.NET Core route templates, the syntax Functions HTTP routes use: literal segments
 * (case-insensitive), `{name}`, optional `{name?}`, defaults `{name=value}`, catch-all
 * `{*name}` / `{**name}`, inline constraints `{id:int}`, `{id:int:min(1)}`, `{slug:regex(^a+$)}`,
 * and complex segments such as `{file}.{ext}`. Routes are tried by ASP.NET's inbound
 * precedence (literals before constrained parameters before parameters before catch-alls), so
 * `items/new` wins over `items/{id}` whatever the registration order.
 */

type Constraint = (value: string) => boolean;

interface ParameterPart {
  readonly kind: 'parameter';
  readonly name: string;
  readonly optional: boolean;
  readonly catchAll: boolean;
  readonly defaultValue: string | undefined;
  readonly constraints: readonly Constraint[];
}

interface LiteralPart {
  readonly kind: 'literal';
  readonly text: string;
}

type Part = ParameterPart | LiteralPart;

interface Segment {
  readonly parts: readonly Part[];
  /** Set when the segment is exactly one parameter (the common case, matched without regex). */
  readonly single: ParameterPart | undefined;
  readonly regex: RegExp | undefined;
}

export interface CompiledRoute<T> {
  readonly template: string;
  readonly value: T;
  readonly segments: readonly Segment[];
  /** ASP.NET inbound precedence, one digit per segment; smaller sorts first. */
  readonly precedence: readonly number[];
  readonly order: number;
}

export type RouteParams = Record<string, string>;

const intRe = /^-?\d+$/;
const decimalRe = /^-?(\d+\.?\d*|\.\d+)$/;
const guidRe = /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i;

function argOf(spec: string, name: string): string {
  return spec.slice(name.length + 1, -1);
}

function parseConstraint(spec: string, template: string): Constraint {
  const name = spec.replace(/\(.*$/s, '').toLowerCase();
  switch (name) {
    case 'int':
    case 'long':
      return (v) => intRe.test(v);
    case 'decimal':
    case 'double':
    case 'float':
      return (v) => decimalRe.test(v);
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'guid':
      return (v) => guidRe.test(v);
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'alpha':
      return (v) => /^[a-z]+$/i.test(v);
    case 'required':
      return (v) => v.length > 0;
    case 'min': {
      const min = Number(argOf(spec, name));
      return (v) => intRe.test(v) && Number(v) >= min;
    }
    case 'max': {
      const max = Number(argOf(spec, name));
      return (v) => intRe.test(v) && Number(v) <= max;
    }
    case 'range': {
      const [min, max] = argOf(spec, name).split(',').map(Number);
      return (v) => intRe.test(v) && Number(v) >= (min ?? -Infinity) && Number(v) <= (max ?? Infinity);
    }
    case 'length': {
      const [a, b] = argOf(spec, name).split(',').map(Number);
      return b === undefined ? (v) => v.length === a : (v) => v.length >= (a ?? 0) && v.length <= b;
    }
    case 'minlength': {
      const min = Number(argOf(spec, name));
      return (v) => v.length >= min;
    }
    case 'maxlength': {
      const max = Number(argOf(spec, name));
      return (v) => v.length <= max;
    }
    case 'regex': {
      const re = new RegExp(argOf(spec, name), 'i');
      return (v) => re.test(v);
    }
    default:
      throw new Error(`Route "${template}": unknown constraint "${spec}"`);
  }
}

/** Splits `id:int:regex(a:b)` on the colons that are not inside parentheses. */
function splitConstraints(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of body) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ':' && depth === 0) {
      out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out;
}

function parseParameter(body: string, template: string): ParameterPart {
  let text = body.trim();
  let catchAll = false;
  if (text.startsWith('**')) {
    catchAll = true;
    text = text.slice(2);
  } else if (text.startsWith('*')) {
    catchAll = true;
    text = text.slice(1);
  }
  let defaultValue: string | undefined;
  const eq = text.indexOf('=');
  if (eq >= 0) {
    defaultValue = text.slice(eq + 1);
    text = text.slice(0, eq);
  }
  let optional = false;
  if (text.endsWith('?')) {
    optional = true;
    text = text.slice(0, -1);
  }
  const [name = '', ...specs] = splitConstraints(text);
  if (!/^[A-Za-z_][\w-]*$/.test(name)) throw new Error(`Route "${template}": bad parameter name "${name}"`);
  return {
    kind: 'parameter',
    name,
    optional: optional || catchAll || defaultValue !== undefined,
    catchAll,
    defaultValue,
    constraints: specs.map((spec) => parseConstraint(spec, template)),
  };
}

function parseSegment(raw: string, template: string): Segment {
  const parts: Part[] = [];
  let i = 0;
  let literal = '';
  while (i < raw.length) {
    const ch = raw.charAt(i);
    if (ch === '{' && raw.charAt(i + 1) === '{') {
      literal += '{';
      i += 2;
    } else if (ch === '}' && raw.charAt(i + 1) === '}') {
      literal += '}';
      i += 2;
    } else if (ch === '{') {
      if (literal) parts.push({ kind: 'literal', text: literal });
      literal = '';
      let depth = 1;
      let j = i + 1;
      for (; j < raw.length && depth > 0; j += 1) {
        if (raw.charAt(j) === '{') depth += 1;
        if (raw.charAt(j) === '}') depth -= 1;
      }
      if (depth !== 0) throw new Error(`Route "${template}": unbalanced braces`);
      parts.push(parseParameter(raw.slice(i + 1, j - 1), template));
      i = j;
    } else {
      literal += ch;
      i += 1;
    }
  }
  if (literal) parts.push({ kind: 'literal', text: literal });

  const only = parts.length === 1 ? parts[0] : undefined;
  const single = only?.kind === 'parameter' ? only : undefined;
  let regex: RegExp | undefined;
  if (!single && parts.some((p) => p.kind === 'parameter')) {
    const source = parts
      .map((p) => (p.kind === 'literal' ? p.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '(.+)'))
      .join('');
    regex = new RegExp(`^${source}$`, 'i');
  }
  return { parts, single, regex };
}

function segmentPrecedence(segment: Segment): number {
  if (segment.parts.length > 1) return 2;
  const part = segment.parts[0];
  if (!part || part.kind === 'literal') return 1;
  if (part.catchAll) return 5;
  return part.constraints.length > 0 ? 3 : 4;
}

export function compileRoute<T>(template: string, value: T, order = 0): CompiledRoute<T> {
  const trimmed = template.replace(/^[~/]+|\/+$/g, '');
  const segments = trimmed === '' ? [] : trimmed.split('/').map((raw) => parseSegment(raw, template));
  segments.forEach((segment, index) => {
    const catchAll = segment.parts.some((p) => p.kind === 'parameter' && p.catchAll);
    if (catchAll && index !== segments.length - 1) {
      throw new Error(`Route "${template}": a catch-all parameter must be the last segment`);
    }
  });
  return { template, value, segments, precedence: segments.map(segmentPrecedence), order };
}

function decodeSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function accepts(part: ParameterPart, value: string): boolean {
  return part.constraints.every((constraint) => constraint(value));
}

/** Matches a path stripped of the route prefix and of trailing slashes, e.g. `items/42`. */
export function matchRoute<T>(route: CompiledRoute<T>, path: string): RouteParams | undefined {
  const rawSegments = path === '' ? [] : path.split('/');
  const params: RouteParams = {};
  const { segments } = route;

  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i];
    if (!segment) return undefined;
    const raw = rawSegments[i];
    const single = segment.single;

    if (single?.catchAll) {
      const rest = rawSegments.slice(i).map(decodeSegment);
      if (rest.some((s) => s === undefined)) return undefined;
      const value = rest.join('/');
      if (value === '') {
        if (single.defaultValue !== undefined) params[single.name] = single.defaultValue;
        return params;
      }
      if (!accepts(single, value)) return undefined;
      params[single.name] = value;
      return params;
    }

    if (raw === undefined) {
      // Only trailing optional parameters may be missing.
      const rest = segments.slice(i);
      if (!rest.every((s) => s.single?.optional === true)) return undefined;
      for (const s of rest) {
        if (s.single?.defaultValue !== undefined) params[s.single.name] = s.single.defaultValue;
      }
      return params;
    }
    if (raw === '') return undefined;

    const value = decodeSegment(raw);
    if (value === undefined) return undefined;
    if (single) {
      if (!accepts(single, value)) return undefined;
      params[single.name] = value;
    } else if (segment.regex) {
      const match = segment.regex.exec(value);
      if (!match) return undefined;
      let group = 1;
      for (const part of segment.parts) {
        if (part.kind !== 'parameter') continue;
        const captured = match[group] ?? '';
        group += 1;
        if (!accepts(part, captured)) return undefined;
        params[part.name] = captured;
      }
    } else {
      const literal = segment.parts[0];
      if (literal?.kind !== 'literal' || literal.text.toLowerCase() !== value.toLowerCase()) return undefined;
    }
  }
  return rawSegments.length > segments.length ? undefined : params;
}

function comparePrecedence(a: CompiledRoute<unknown>, b: CompiledRoute<unknown>): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i += 1) {
    const pa = a.precedence[i] ?? 0;
    const pb = b.precedence[i] ?? 0;
    if (pa !== pb) return pa - pb;
  }
  return a.order - b.order;
}

/** Routes in match order. */
export class RouteTable<T> {
  readonly #routes: CompiledRoute<T>[] = [];

  add(template: string, value: T): CompiledRoute<T> {
    const route = compileRoute(template, value, this.#routes.length);
    this.#routes.push(route);
    this.#routes.sort(comparePrecedence);
    return route;
  }

  /** Every route matching the path, best first (several when they differ by method). */
  *matches(path: string): Generator<{ route: CompiledRoute<T>; params: RouteParams }> {
    for (const route of this.#routes) {
      const params = matchRoute(route, path);
      if (params) yield { route, params };
    }
  }

  get routes(): readonly CompiledRoute<T>[] {
    return this.#routes;
  }
}
