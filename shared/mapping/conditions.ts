/** `when` on rules and `where` on array filters, compiled to predicates once. */
import { type ParsedPath, parsePath, readPath } from './paths';
import type { Condition, JsonPrimitive } from './schema';

export type Predicate = (root: unknown) => boolean;

export function compileCondition(condition: Condition): Predicate {
  if ('all' in condition) {
    const parts = condition.all.map(compileCondition);
    return (root) => parts.every((p) => p(root));
  }
  if ('any' in condition) {
    const parts = condition.any.map(compileCondition);
    return (root) => parts.some((p) => p(root));
  }
  if ('not' in condition) {
    const inner = compileCondition(condition.not);
    return (root) => !inner(root);
  }
  const path: ParsedPath | undefined = condition.path !== undefined ? pathOrThrow(condition.path) : undefined;
  const get = path === undefined ? (root: unknown) => root : (root: unknown) => readPath(root, path);
  if (condition.exists !== undefined) {
    const want = condition.exists;
    return (root) => {
      const v = get(root);
      return (v !== undefined && v !== null) === want;
    };
  }
  if (condition.in !== undefined) {
    const set = new Set<JsonPrimitive>(condition.in);
    return (root) => {
      const v = get(root);
      return isPrimitive(v) && set.has(v);
    };
  }
  if (condition.notEquals !== undefined) {
    const value = condition.notEquals;
    return (root) => get(root) !== value;
  }
  const value = condition.equals;
  return (root) => get(root) === value;
}

function isPrimitive(v: unknown): v is JsonPrimitive {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function pathOrThrow(text: string): ParsedPath {
  const parsed = parsePath(text);
  // Validation rejects bad paths before compiling; reaching here means a caller skipped it.
  if (!parsed.ok) throw new Error(`invalid condition path: ${parsed.reason}`);
  return parsed.path;
}
