export * from './service-runtime.js';
export * from './managed-database.js';
export * from './registration.js';
export * from './retry-forever.js';
