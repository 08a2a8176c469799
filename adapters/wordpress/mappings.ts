import type { MappingDocument } from '../../shared/mapping/schema';
import { MappingDocumentSchema } from '../../shared/mapping/schema';

/**
 * Default mappings (external WordPress record → canonical record) for the built-in post types and
 * the `contacts` example type. Integrations override single fields with `mappingOverrides`
 * (seed 000: "field_mappings can override adapter defaults"). `acf` and `meta` travel as whole
 * groups; on write-back the adapter merges them per group (seed 000's ACF rule).
 */
const postLike = (resourceType: string): MappingDocument =>
  MappingDocumentSchema.parse({
    version: 1,
    resourceType,
    inbound: [
      { from: 'title.raw', to: 'title', transform: 'string' },
      { from: 'content.raw', to: 'content', transform: 'string' },
      { from: 'excerpt.raw', to: 'excerpt', transform: 'string' },
      { from: 'slug', to: 'slug', transform: 'string' },
      { from: 'status', to: 'status', transform: 'string' },
      { from: 'date_gmt', to: 'publishedAt', transform: { type: 'datetime', timeZone: 'UTC' } },
      { from: 'meta', to: 'meta' },
      { from: 'acf', to: 'fields' },
    ],
  });

export const WORDPRESS_DEFAULT_MAPPINGS: Readonly<Record<string, MappingDocument>> = {
  posts: postLike('posts'),
  pages: postLike('pages'),
  contacts: MappingDocumentSchema.parse({
    version: 1,
    resourceType: 'contacts',
    inbound: [
      { from: 'title.raw', to: 'name', transform: 'string' },
      { from: 'meta.email', to: 'email', transform: 'email' },
      { from: 'meta.phone', to: 'phone', transform: 'string' },
      { from: 'meta.external_id', to: 'externalRef', transform: 'string' },
      { from: 'status', to: 'status', transform: 'string' },
    ],
  }),
};

/** The default mapping for a resource type; custom post types fall back to the post-like one. */
export function wordpressDefaultMapping(resourceType: string): MappingDocument {
  return WORDPRESS_DEFAULT_MAPPINGS[resourceType] ?? postLike(resourceType);
}
