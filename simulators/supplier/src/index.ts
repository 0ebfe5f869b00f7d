export { buildSupplierApp, type SupplierAppOptions } from './app.js';
export { supplierConfigSchema, type SupplierConfig } from './config.js';
export const MIGRATIONS_DIR = new URL('../migrations', import.meta.url).pathname;
