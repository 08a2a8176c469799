export { BUILTIN_POST_TYPES, wordpressApi } from './descriptor';
export { WORDPRESS_DEFAULT_MAPPINGS, wordpressDefaultMapping } from './mappings';
export type { PostType, WordPressSettings, WordPressSettingsInput } from './settings';
export { WORDPRESS_STATUSES, wordpressRestBase, WordPressSettingsSchema } from './settings';
export type { WordPressDeleteOptions } from './wordpressAdapter';
export { createWordPressAdapter, WordPressAdapter, wordpressAdapterDefinition } from './wordpressAdapter';
