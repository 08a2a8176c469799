import {
  compileMapping,
  type FieldRule,
  type MappingError,
  type MappingIssue,
  type TransformSpec,
} from '../../../shared/mapping';

/** Runs one transform (or pipeline) through a real compiled one-rule mapping. */
export function run(transform: TransformSpec | TransformSpec[], value: unknown): unknown {
  const mapping = compileMapping({ resourceType: 'T', inbound: [{ from: 'v', to: 'out', transform }] });
  return mapping.toInternalSync(value === undefined ? {} : { v: value })['out'];
}

/** The single issue a bad input produces; fails the test if the input was accepted. */
export function issueOf(transform: TransformSpec | TransformSpec[], value: unknown): MappingIssue {
  try {
    run(transform, value);
  } catch (e) {
    const issues = (e as MappingError).issues;
    expect(issues).toHaveLength(1);
    return issues[0]!;
  }
  throw new Error(`expected ${JSON.stringify(transform)} to reject the input`);
}

/** A one-rule mapping over a whole record, for transforms that read several sources. */
export function ruleOver(rule: FieldRule): (record: Record<string, unknown>) => unknown {
  const target = rule.to;
  const mapping = compileMapping({ resourceType: 'T', inbound: [rule] });
  return (record) => mapping.toInternalSync(record)[target];
}
