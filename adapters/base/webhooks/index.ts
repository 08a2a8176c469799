export type { HeaderBag, HeadersInput } from './headers';
export { toHeaderBag } from './headers';
export {
  getWebhookScheme,
  isWebhookSchemeId,
  listWebhookSchemes,
  signWebhook,
  verifyWebhook,
} from './registry';
export { DEFAULT_TOLERANCE_SEC } from './registry';
export type { HmacSchemeConfig, HmacSchemeConfigInput } from './schemes/genericHmac';
export { HmacSchemeConfigSchema } from './schemes/genericHmac';
export { hubspotCanonicalUri } from './schemes/timestamped';
export { twilioJsonUrl } from './schemes/urlSigned';
export type * from './types';
