/**
 * Per-integration overrides of a provider's default mapping (seed 000: "field_mappings can
 * override adapter defaults: canonical -> external keys"). Overrides are keyed by canonical
 * path, the side both directions share:
 * - a string moves the field to another external key (in inbound and outbound rules alike);
 * - `null` drops every rule for the field;
 * - an object patches the rules (`external`, `transform`, `required`, `default`, `when`,
 *   `reverse`); a canonical path no rule maps yet becomes a new inbound rule, which needs
 *   `external`.
 * The result is a new document; run `validateMapping` on it like on any other.
 */
import { formatPath, parsePath } from './paths';
import {
  type FieldOverride,
  type FieldRule,
  type MappingDocument,
  type MappingOverrides,
  MappingOverridesSchema,
} from './schema';

const canonical = (text: string): string => {
  const p = parsePath(text);
  return p.ok ? formatPath(p.path) : text;
};

type Patch = Exclude<FieldOverride, string | null>;

function patchRule(rule: FieldRule, patch: Patch, externalKey: 'from' | 'to'): FieldRule {
  const next: FieldRule = { ...rule };
  if (patch.external !== undefined) next[externalKey] = patch.external;
  if (patch.transform !== undefined) next.transform = patch.transform;
  if (patch.required !== undefined) next.required = patch.required;
  if (patch.default !== undefined) next.default = patch.default;
  if (patch.when !== undefined) next.when = patch.when;
  if (patch.reverse !== undefined) next.reverse = patch.reverse;
  return next;
}

export function applyMappingOverrides(base: MappingDocument, overrides: MappingOverrides): MappingDocument {
  const parsed = MappingOverridesSchema.parse(overrides);
  const fields = new Map<string, FieldOverride>();
  for (const [key, value] of Object.entries(parsed.fields ?? {})) fields.set(canonical(key), value);

  const touched = new Set<string>();
  const apply = (
    rules: readonly FieldRule[] | undefined,
    side: 'inbound' | 'outbound',
  ): FieldRule[] | undefined => {
    if (rules === undefined) return undefined;
    const out: FieldRule[] = [];
    for (const rule of rules) {
      const canonicalSide =
        side === 'inbound' ? rule.to : typeof rule.from === 'string' ? rule.from : undefined;
      const key = canonicalSide !== undefined ? canonical(canonicalSide) : undefined;
      const override = key !== undefined ? fields.get(key) : undefined;
      if (key === undefined || override === undefined) {
        out.push(rule);
        continue;
      }
      touched.add(key);
      if (override === null) continue;
      const externalKey = side === 'inbound' ? 'from' : 'to';
      out.push(
        typeof override === 'string'
          ? { ...rule, [externalKey]: override }
          : patchRule(rule, override, externalKey),
      );
    }
    return out;
  };

  const inbound = apply(base.inbound, 'inbound') ?? [];
  const outbound = apply(base.outbound, 'outbound');
  for (const [key, override] of fields) {
    if (touched.has(key) || override === null) continue;
    const external = typeof override === 'string' ? override : override.external;
    if (external === undefined) {
      throw new RangeError(`override for "${key}" adds a field and needs an external key`);
    }
    const rule: FieldRule = { from: external, to: key };
    inbound.push(typeof override === 'string' ? rule : patchRule(rule, override, 'from'));
  }

  const doc: MappingDocument = { ...base, inbound };
  if (outbound !== undefined) doc.outbound = outbound;
  if (parsed.hash !== undefined) {
    doc.hash = { ignore: [...new Set([...(base.hash?.ignore ?? []), ...parsed.hash.ignore])] };
  }
  return doc;
}
