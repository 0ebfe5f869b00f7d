import { describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_URL, postgresAnswers, resolveDatabase } from '../src/index.js';

// A port nothing listens on: no local server answers there.
const NO_SERVER = 'postgresql://postgres@127.0.0.1:1/postgres';
const serverUp = await postgresAnswers(DEFAULT_ADMIN_URL, 1500);

const resolve = (env: Record<string, string | undefined>, adminUrl = NO_SERVER, databaseUrl?: string) =>
  resolveDatabase({
    service: 'inventory',
    env,
    adminUrl,
    stateDir: '/tmp/fv-database-choice',
    probeTimeoutMs: 300,
    ...(databaseUrl ? { databaseUrl } : {}),
  });

describe('choosing the database outside local development', () => {
  it('refuses to fall back to the embedded database when NODE_ENV is not set, naming DATABASE_URL', async () => {
    await expect(resolve({})).rejects.toThrow(/DATABASE_URL/);
  });

  it('refuses without DATABASE_URL in production, naming it', async () => {
    await expect(resolve({ NODE_ENV: 'production' })).rejects.toThrow(
      /DATABASE_URL is not set.*NODE_ENV=production/s,
    );
  });

  it.runIf(serverUp)(
    'does not pick the local PostgreSQL server on its own in production either',
    async () => {
      await expect(resolve({ NODE_ENV: 'production' }, DEFAULT_ADMIN_URL)).rejects.toThrow(/DATABASE_URL/);
    },
  );

  it('uses the database DATABASE_URL names, embedded included, whatever the environment', async () => {
    await expect(resolve({ NODE_ENV: 'production' }, NO_SERVER, 'pglite:memory')).resolves.toEqual({
      kind: 'pglite',
      dataDir: null,
    });
  });

  it('falls back to the embedded database when the environment says local development', async () => {
    for (const NODE_ENV of ['development', 'test']) {
      await expect(resolve({ NODE_ENV })).resolves.toEqual({
        kind: 'pglite',
        dataDir: '/tmp/fv-database-choice/pglite/inventory',
      });
    }
  });
});
