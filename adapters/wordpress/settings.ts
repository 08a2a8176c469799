import { z } from 'zod';

/** WordPress post statuses; `trash` is listed on purpose so trashed posts come back as deletions. */
export const WORDPRESS_STATUSES = ['publish', 'future', 'draft', 'pending', 'private', 'trash'] as const;

const RestBaseSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a WordPress rest_base, e.g. `contacts`');

export const PostTypeSchema = z.strictObject({
  /** The engine's resource type name. */
  name: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/),
  /** The post type's `rest_base` (what follows /wp/v2/), which often differs from its name. */
  restBase: RestBaseSchema,
});
export type PostType = z.infer<typeof PostTypeSchema>;

/**
 * `AdapterContext.settings` for WordPress: the connection's site and the integration's choice of
 * post types. Credentials are an Application Password (BASIC); the login password is refused.
 */
export const WordPressSettingsSchema = z.looseObject({
  /** The site (`https://example.com`) or its REST base (`https://example.com/wp-json/wp/v2`). */
  baseUrl: z.string().regex(/^https?:\/\/\S+$/, 'an http(s) URL'),
  /** Custom post types to sync besides `posts` and `pages`, e.g. `{ name: 'contacts', restBase: 'contacts' }`. */
  postTypes: z.array(PostTypeSchema).max(50).default([]),
  statuses: z
    .array(z.enum(WORDPRESS_STATUSES))
    .min(1)
    .default([...WORDPRESS_STATUSES]),
  /** Overlap of incremental windows; WordPress compares whole seconds and strictly (`>`). */
  lookbackSeconds: z.number().int().min(1).max(86_400).default(1),
  pageSize: z.number().int().min(1).max(100).default(100),
  /** `trash` (default, reversible, seen by other syncs as a deletion) or `force` (gone for good). */
  deleteMode: z.enum(['trash', 'force']).default('trash'),
  /** Fields updated with the grouped merge rule (seed 000): dictionaries merged per group. */
  groupedFields: z.array(z.string().min(1).max(64)).default(['acf', 'meta']),
  /** Restrict list answers to these fields (`_fields`); id, modified_gmt and status are always added. */
  fields: z.array(z.string().min(1).max(64)).max(100).optional(),
});
export type WordPressSettings = z.infer<typeof WordPressSettingsSchema>;
export type WordPressSettingsInput = z.input<typeof WordPressSettingsSchema>;

/** Accepts the site URL or the REST base and returns the REST base (`…/wp-json/wp/v2`). */
export function wordpressRestBase(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return /\/wp-json(\/|$)/.test(trimmed) ? trimmed : `${trimmed}/wp-json/wp/v2`;
}
