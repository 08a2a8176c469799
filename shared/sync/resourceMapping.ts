import type { IntegrationDocument, ResourceTypeConfig } from '../domain/integration';
import type { CompiledMapping, MappedResult, MappingContext } from '../mapping';
import { applyMappingOverrides, canonicalHash, compileMapping, MappingError, valueTypeOf } from '../mapping';
import { ConfigInvalidError } from '../reliability/errors';

/**
 * How one resource type's external records become canonical data and a change-detection hash.
 * Without a mapping the external record is kept as it is (an object), hashed canonically.
 */
export interface ResourceMapper {
  readonly resourceType: string;
  mapPage(records: readonly unknown[], ctx: MappingContext): Promise<MappedResult[]>;
  hash(mapped: Readonly<Record<string, unknown>>): string;
}

function identityMapper(resourceType: string): ResourceMapper {
  return {
    resourceType,
    mapPage: (records) =>
      Promise.resolve(
        records.map((r): MappedResult => {
          if (typeof r === 'object' && r !== null && !Array.isArray(r))
            return { ok: true, value: r as Record<string, unknown> };
          return {
            ok: false,
            error: new MappingError([
              {
                path: '',
                target: '',
                rule: 0,
                valueType: valueTypeOf(r),
                reason: 'record is not a JSON object',
              },
            ]),
          };
        }),
      ),
    hash: (mapped) => canonicalHash(mapped),
  };
}

function compiledMapper(resourceType: string, compiled: CompiledMapping): ResourceMapper {
  return {
    resourceType,
    mapPage: (records, ctx) => compiled.toInternalPage(records, ctx),
    hash: (mapped) => compiled.hashRecord(mapped),
  };
}

export function resourceConfig(integration: IntegrationDocument, resourceType: string): ResourceTypeConfig {
  const config = integration.resourceTypes.find((r) => r.name === resourceType);
  if (config === undefined) {
    throw new ConfigInvalidError(`integration ${integration.id} has no resource type ${resourceType}`);
  }
  return config;
}

/** compileMapping caches by document hash, so calling this per run costs one hash. */
export function mapperFor(integration: IntegrationDocument, resourceType: string): ResourceMapper {
  const config = resourceConfig(integration, resourceType);
  if (config.mapping === undefined) return identityMapper(resourceType);
  const document =
    config.mappingOverrides !== undefined
      ? applyMappingOverrides(config.mapping, config.mappingOverrides)
      : config.mapping;
  try {
    return compiledMapper(resourceType, compileMapping(document));
  } catch (err) {
    throw new ConfigInvalidError(`mapping for ${resourceType} does not compile`, { cause: err });
  }
}
