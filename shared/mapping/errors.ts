/**
 * Errors of the mapping engine. Applying a mapping never stops at the first bad field: every
 * field problem becomes a MappingIssue and one MappingError carries them all, so an operator
 * fixes a record (or a mapping) in one pass. Issues name paths, rules and value *types*, never
 * values: they end up in logs, dead letters and App Insights, and values can be personal data.
 *
 * Both errors are SyncErrors, so `classifyError` and the queue handlers treat them like every
 * other failure: `InvalidPayload` (bad data does not get better by retrying) and
 * `ConfigInvalid` (a mapping that cannot compile), neither retryable.
 */
import { SyncError } from '../reliability/errors';

export type ValueType = 'undefined' | 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'other';

export function valueTypeOf(value: unknown): ValueType {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'object':
      return 'object';
    default:
      return 'other';
  }
}

export interface MappingIssue {
  /** Source path the rule reads (comma-separated for several sources; concrete indexes under wildcards). */
  readonly path: string;
  /** Target path the rule writes. */
  readonly target: string;
  /** Index of the rule in its direction's rule list (declared rules first, then derived ones). */
  readonly rule: number;
  /** Name of the transform that failed, when one did. */
  readonly transform?: string;
  /** Type of the value the failing step received. */
  readonly valueType: ValueType;
  readonly reason: string;
}

const MAX_LISTED = 5;

export class MappingError extends SyncError {
  readonly issues: readonly MappingIssue[];

  constructor(issues: readonly MappingIssue[]) {
    super('InvalidPayload', summarise(issues), {
      retryable: false,
      details: {
        issueCount: issues.length,
        targets: issues
          .map((i) => i.target)
          .join(',')
          .slice(0, 500),
      },
    });
    this.issues = issues;
  }
}

function summarise(issues: readonly MappingIssue[]): string {
  const head = issues
    .slice(0, MAX_LISTED)
    .map(
      (i) =>
        `${i.target === '' ? '(record)' : i.target}${i.transform !== undefined ? ` (${i.transform})` : ''}: ${i.reason}`,
    )
    .join('; ');
  const more = issues.length > MAX_LISTED ? `; and ${issues.length - MAX_LISTED} more` : '';
  return `mapping failed for ${issues.length} field${issues.length === 1 ? '' : 's'}: ${head}${more}`;
}

/**
 * What a transform throws for bad input. Custom transforms throw it too; anything else they
 * throw is wrapped into one, so callers only ever see MappingError.
 */
export class TransformFailure extends Error {
  transform: string | undefined;
  valueType: ValueType | undefined;
  /** Concrete source path, set when the failure happened under a wildcard. */
  at: string | undefined;

  constructor(reason: string) {
    super(reason);
    this.name = 'TransformFailure';
    this.transform = undefined;
    this.valueType = undefined;
    this.at = undefined;
  }
}

export interface MappingProblem {
  /** Where in the mapping document, e.g. `inbound[3].transform[1].mapping`. */
  readonly path: string;
  /** The mapped field the problem concerns (the rule's target), when there is one. */
  readonly field?: string;
  readonly message: string;
}

/** A mapping document that cannot be compiled or does not fit the integration's direction. */
export class MappingConfigError extends SyncError {
  readonly problems: readonly MappingProblem[];

  constructor(problems: readonly MappingProblem[], message?: string) {
    super(
      'ConfigInvalid',
      message ??
        `invalid mapping: ${problems
          .slice(0, MAX_LISTED)
          .map((p) => `${p.path}: ${p.message}`)
          .join('; ')}${problems.length > MAX_LISTED ? `; and ${problems.length - MAX_LISTED} more` : ''}`,
      { retryable: false, details: { problemCount: problems.length } },
    );
    this.problems = problems;
  }
}
