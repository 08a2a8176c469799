export * from './backoff';
export * from './circuitBreaker';
export * from './classifyError';
export * from './errors';
export * from './idempotency';
