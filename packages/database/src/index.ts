export * from './resolve-database.js';
export * from './open-database.js';
export * from './migrate.js';
export * from './prisma-config.js';
export * from './errors.js';
export * from './row-values.js';
