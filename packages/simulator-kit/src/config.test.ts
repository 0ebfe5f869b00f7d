import { envInteger, loadConfig } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import { simulatorConfigSchema } from './config.js';

describe('simulatorConfigSchema', () => {
  it('defaults the name and the port to the simulator’s, and the rest as every simulator has them', () => {
    const config = simulatorConfigSchema({ service: 'bank', port: 8100 }).parse({});
    expect(config).toMatchObject({
      SERVICE_NAME: 'bank',
      SERVICE_VERSION: '0.1.0',
      HOST: '127.0.0.1',
      PORT: 8100,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: 10_000,
    });
    expect(config.JWT_SECRET.length).toBeGreaterThanOrEqual(16);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('reads a simulator’s own settings next to the common ones', () => {
    const schema = simulatorConfigSchema({ service: 'bank', port: 8100 }).extend({
      HOLD_MS: envInteger(1, 1000).default(500),
    });
    expect(loadConfig(schema, { NODE_ENV: 'test', PORT: '9000', HOLD_MS: '20' })).toMatchObject({
      PORT: 9000,
      HOLD_MS: 20,
    });
  });

  it('refuses a port out of range and an unknown log level', () => {
    const schema = simulatorConfigSchema({ service: 'bank', port: 8100 });
    expect(schema.safeParse({ PORT: '70000' }).success).toBe(false);
    expect(schema.safeParse({ LOG_LEVEL: 'loud' }).success).toBe(false);
  });
});
