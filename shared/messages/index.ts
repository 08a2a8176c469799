export type { DecodeFailure, EncodeOptions } from './codec';
export { decodeEnvelope, encodeEnvelope } from './codec';
export * from './envelope';
