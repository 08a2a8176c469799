/**
 * Save-time validation of a mapping document for an integration's direction. Returns every
 * problem at once (the admin API shows them all), each with the document path and, where there
 * is one, the field it concerns.
 */
import type { MappingProblem } from './errors';
import { prepareMapping } from './prepare';
import { defaultTransformRegistry, type TransformRegistry } from './registry';
import type { MappingDirection, MappingDocument } from './schema';

export interface ValidateMappingOptions {
  readonly direction: MappingDirection;
  readonly registry?: TransformRegistry;
}

export type MappingValidation =
  | { readonly ok: true; readonly mapping: MappingDocument }
  | { readonly ok: false; readonly problems: readonly MappingProblem[] };

export function validateMapping(doc: unknown, options: ValidateMappingOptions): MappingValidation {
  const result = prepareMapping(doc, options.registry ?? defaultTransformRegistry);
  if (!result.ok) return { ok: false, problems: result.problems };
  const { prepared } = result;
  const problems: MappingProblem[] = [];
  const { direction } = options;

  if ((direction === 'inbound' || direction === 'bidirectional') && prepared.inbound.length === 0) {
    problems.push({ path: 'inbound', message: `a ${direction} mapping needs inbound rules` });
  }
  if (direction === 'outbound' && prepared.outbound.length === 0) {
    problems.push({
      path: 'outbound',
      message: 'an outbound mapping needs outbound rules (declared, or derived from inbound ones)',
    });
  }
  if (direction === 'bidirectional') {
    for (const n of prepared.nonInvertible) {
      problems.push({
        path: n.docPath,
        field: n.field,
        message:
          `field "${n.field}" cannot be written back to "${n.external}": ${n.reason}. ` +
          `Add "reverse" to the rule (false for read-only fields), or an outbound rule writing "${n.external}".`,
      });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, mapping: prepared.doc };
}
