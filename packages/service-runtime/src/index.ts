export * from './service-runtime.js';
export * from './managed-database.js';
export * from './registration.js';
export * from './retry-forever.js';
export * from './live-config-keys.js';
export * from './live-config-subscriber.js';
export * from './idempotency.js';
export * from './cors.js';
