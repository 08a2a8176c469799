export * from './adapter';
export * from './descriptor';
export * from './httpClient';
export * from './pagination';
export * from './rateLimiter';
export * from './ssrf';
export * from './webhooks';
