import type { AdapterDefinition } from '../base/adapter';
import { defineProvider } from '../base/descriptor';
import { createRestAdapter } from './restAdapter';

export type { CursorState } from './cursor';
export type {
  Incremental,
  RestApiDescriptor,
  RestApiDescriptorInput,
  RestAuth,
  RestResource,
  RestResourceInput,
  RestWebhook,
  WriteOperation,
} from './descriptor';
export { RestApiDescriptorSchema, RestResourceSchema, RestWebhookSchema } from './descriptor';
export type { CatalogueIdentity } from './providerDescriptor';
export { toProviderDescriptor } from './providerDescriptor';
export type { RestAdapterOptions, RestAdapterSettings, RestHooks } from './restAdapter';
export {
  createRestAdapter,
  parseRestDescriptor,
  RestAdapter,
  RestAdapterSettingsSchema,
} from './restAdapter';
export type { QueryTimeFormat, TimestampFormat, UpdatedAtSpec } from './time';
export { formatQueryTime, parseTimestamp } from './time';

/**
 * The generic `rest` provider: each integration brings its own API description in
 * `settings.descriptor` (the integration's providerConfig) and its base URL in `settings.baseUrl`.
 */
export const restAdapterDefinition: AdapterDefinition = {
  descriptor: defineProvider({
    id: 'rest',
    displayName: 'Generic REST API',
    category: 'generic',
    authTypes: ['API_KEY', 'BEARER', 'BASIC', 'OAUTH2'],
    baseUrl: 'https://{host}',
    pagination: { style: 'page' },
    resourceTypes: [
      { name: 'records', path: '/records', displayName: 'Any collection the description names' },
    ],
    capabilities: ['read', 'create', 'update', 'delete', 'incremental', 'webhooks'],
    incrementalParam: 'updated_since',
    webhook: { scheme: 'hmac', payload: 'records' },
  }),
  createAdapter: (context) => createRestAdapter(context),
};
