/** The registry the command-line scripts talk to: `SCHEMA_REGISTRY_URL`, or the local stack's. */
export const registryUrl = process.env['SCHEMA_REGISTRY_URL'] || 'http://127.0.0.1:8090/apis/ccompat/v7';
