export { buildProviderApp, type ProviderAppOptions } from './app.js';
export { providerConfigSchema, type ProviderConfig } from './config.js';
export { TEST_TOKENS } from './test-tokens.js';
export const MIGRATIONS_DIR = new URL('../migrations', import.meta.url).pathname;
