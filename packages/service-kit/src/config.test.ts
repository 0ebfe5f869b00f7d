import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  baseConfigSchema,
  ConfigError,
  envBoolean,
  envDelayList,
  envInteger,
  envList,
  loadConfig,
  loadConfigOrExit,
  loadToolConfigOrExit,
  LOCAL_DEVELOPMENT_JWT_SECRET,
  type ExitTerminal,
} from './config.js';

const minimal = { NODE_ENV: 'development', SERVICE_NAME: 'orders', PORT: '8084' };

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the local defaults when only the service name and port are set', () => {
    const config = loadConfig(baseConfigSchema, minimal);
    expect(config).toEqual({
      NODE_ENV: 'development',
      SERVICE_NAME: 'orders',
      SERVICE_VERSION: '0.1.0',
      HOST: '127.0.0.1',
      PORT: 8084,
      LOG_LEVEL: 'info',
      JWT_SECRET: LOCAL_DEVELOPMENT_JWT_SECRET,
      JWT_ISSUER: 'first-viscount',
      JWT_AUDIENCE: 'first-viscount',
      JWT_MAX_TTL_SECONDS: 86400,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8090/apis/ccompat/v7',
      SCHEMA_REGISTRY_UNKNOWN_ID_GRACE_MS: 60000,
      COORDINATION_URL: 'http://127.0.0.1:8081',
      SHUTDOWN_TIMEOUT_MS: 10000,
      HEALTH_CACHE_MS: 1000,
      HEALTH_RATE_LIMIT_PER_MINUTE: 120,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('splits and trims the broker list', () => {
    const config = loadConfig(baseConfigSchema, {
      ...minimal,
      KAFKA_BROKERS: 'kafka1:9092, kafka2:9092,[::1]:9093',
    });
    expect(config.KAFKA_BROKERS).toEqual(['kafka1:9092', 'kafka2:9092', '[::1]:9093']);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(baseConfigSchema, { ...minimal, LOG_LEVEL: '', DATABASE_URL: '' })).toMatchObject({
      LOG_LEVEL: 'info',
    });
    expect(loadConfig(baseConfigSchema, { ...minimal, DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('names the variable, the rule and the offending value', () => {
    const error = configError(() => loadConfig(baseConfigSchema, { ...minimal, PORT: 'abc' }));
    expect(error.message).toContain('PORT: must be an integer between 1 and 65535 (got "abc")');
    expect(error.issues).toEqual([
      { variable: 'PORT', rule: 'must be an integer between 1 and 65535', received: '"abc"' },
    ]);
  });

  it('rejects out-of-range and fractional ports', () => {
    expect(configError(() => loadConfig(baseConfigSchema, { ...minimal, PORT: '70000' })).message).toContain(
      'PORT: must be an integer between 1 and 65535 (got "70000")',
    );
    expect(configError(() => loadConfig(baseConfigSchema, { ...minimal, PORT: '80.5' })).message).toContain(
      'PORT: must be an integer between 1 and 65535 (got "80.5")',
    );
  });

  it('lists every bad variable at once', () => {
    const error = configError(() =>
      loadConfig(baseConfigSchema, {
        NODE_ENV: 'test',
        PORT: '0',
        LOG_LEVEL: 'loud',
        KAFKA_BROKERS: 'no-port',
        SCHEMA_REGISTRY_URL: 'registry',
      }),
    );
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'KAFKA_BROKERS',
      'LOG_LEVEL',
      'PORT',
      'SCHEMA_REGISTRY_URL',
      'SERVICE_NAME',
    ]);
    expect(error.message).toContain('SERVICE_NAME: is required');
    expect(error.message).toContain(
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace (got "loud")',
    );
    expect(error.message).toContain('KAFKA_BROKERS: must be a comma-separated list of host:port entries');
    expect(error.message).toContain('SCHEMA_REGISTRY_URL: must be an absolute http(s) URL (got "registry")');
  });

  it('never echoes a secret', () => {
    const error = configError(() => loadConfig(baseConfigSchema, { ...minimal, JWT_SECRET: 'short-secret' }));
    expect(error.message).toContain(
      'JWT_SECRET: must be at least 16 characters (got a value of 12 characters)',
    );
    expect(error.message).not.toContain('short-secret');
  });

  it('refuses the development secret in production', () => {
    const unset = configError(() => loadConfig(baseConfigSchema, { ...minimal, NODE_ENV: 'production' }));
    expect(unset.issues.map((issue) => issue.variable)).toEqual(['JWT_SECRET']);
    expect(unset.message).toMatch(/JWT_SECRET: .*NODE_ENV=production/);

    const explicit = configError(() =>
      loadConfig(baseConfigSchema, {
        ...minimal,
        NODE_ENV: 'production',
        JWT_SECRET: LOCAL_DEVELOPMENT_JWT_SECRET,
      }),
    );
    expect(explicit.issues.map((issue) => issue.variable)).toEqual(['JWT_SECRET']);

    const config = loadConfig(baseConfigSchema, {
      ...minimal,
      NODE_ENV: 'production',
      JWT_SECRET: 'a-real-production-secret',
    });
    expect(config.JWT_SECRET).toBe('a-real-production-secret');
  });

  it('treats an unset NODE_ENV as production: no development key, the variable named', () => {
    const unset = configError(() => loadConfig(baseConfigSchema, { SERVICE_NAME: 'orders', PORT: '8084' }));
    expect(unset.issues.map((issue) => issue.variable)).toEqual(['JWT_SECRET']);
    expect(unset.message).toMatch(/JWT_SECRET: is required \(NODE_ENV is not set\)/);
    expect(
      loadConfig(baseConfigSchema, { NODE_ENV: 'test', SERVICE_NAME: 'orders', PORT: '8084' }).JWT_SECRET,
    ).toBe(LOCAL_DEVELOPMENT_JWT_SECRET);
  });

  it('accepts a JWKS URL instead of a shared secret outside local development', () => {
    const config = loadConfig(baseConfigSchema, {
      SERVICE_NAME: 'orders',
      PORT: '8084',
      JWT_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
    });
    expect(config.NODE_ENV).toBe('production');
    expect(config.JWT_SECRET).toBeUndefined();
  });

  it('reports the production secret rule together with other problems', () => {
    const error = configError(() => loadConfig(baseConfigSchema, { NODE_ENV: 'production', PORT: 'x' }));
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'JWT_SECRET',
      'PORT',
      'SERVICE_NAME',
    ]);
  });

  it('masks the password of a URL it shows', () => {
    const schema = baseConfigSchema.extend({ DATABASE_URL: z.string().url().startsWith('postgresql://') });
    const error = configError(() =>
      loadConfig(schema, { ...minimal, DATABASE_URL: 'mysql://app:hunter2@db:3306/orders' }),
    );
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).not.toContain('hunter2');
  });

  it('validates the keys a service adds with extend', () => {
    const schema = baseConfigSchema.extend({
      PORT: envInteger(1, 65535).default(8084),
      PAYMENT_TIMEOUT_MS: envInteger(100, 60_000).default(5000),
      PAYMENTS_ENABLED: envBoolean().default(true),
    });
    const config = loadConfig(schema, { ...minimal, PAYMENTS_ENABLED: 'off' });
    expect(config.PORT).toBe(8084);
    expect(config.PAYMENT_TIMEOUT_MS).toBe(5000);
    expect(config.PAYMENTS_ENABLED).toBe(false);

    const error = configError(() =>
      loadConfig(schema, { SERVICE_NAME: 'orders', PAYMENTS_ENABLED: 'maybe' }),
    );
    expect(error.message).toContain(
      'PAYMENTS_ENABLED: must be one of true, false, 1, 0, yes, no, on, off (got "maybe")',
    );
  });
});

describe('list variables', () => {
  it('splits a comma-separated list, trimming entries and dropping empty ones', () => {
    expect(envList().parse(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
    expect(envList({ upperCase: true }).parse('usd, eur')).toEqual(['USD', 'EUR']);
    expect(envList().parse('none')).toEqual(['none']);
    expect(envList({ noneIsEmpty: true }).parse(' None ')).toEqual([]);
  });

  it('reads delays in milliseconds and refuses anything else', () => {
    expect(envDelayList().parse('1000, 2000,4000')).toEqual([1000, 2000, 4000]);
    for (const bad of ['1s', '1000,,2000', '-5', '12345678']) {
      expect(envDelayList().safeParse(bad).success).toBe(false);
    }
  });
});

describe('loadConfigOrExit', () => {
  class Exit extends Error {
    constructor(readonly code: number) {
      super(`exit ${code}`);
    }
  }

  function terminal() {
    const written: string[] = [];
    const io: ExitTerminal = {
      writeError: (message) => {
        written.push(message);
      },
      exit: (code) => {
        throw new Exit(code);
      },
    };
    return { io, written };
  }

  it('prints the problems to stderr and exits with status 1', () => {
    const { io, written } = terminal();
    let exit: unknown;
    try {
      loadConfigOrExit(baseConfigSchema, { SERVICE_NAME: 'orders', PORT: 'abc' }, io);
    } catch (error) {
      exit = error;
    }
    expect(exit).toBeInstanceOf(Exit);
    expect((exit as Exit).code).toBe(1);
    expect(written.join('')).toContain('PORT: must be an integer between 1 and 65535 (got "abc")');
  });

  it('returns the configuration when it is valid', () => {
    const { io, written } = terminal();
    expect(loadConfigOrExit(baseConfigSchema, minimal, io).PORT).toBe(8084);
    expect(written).toEqual([]);
  });
});

describe('loadToolConfigOrExit', () => {
  it('reads the signing variables and the extra ones asked for, an unset NODE_ENV counting as development', () => {
    const config = loadToolConfigOrExit({ COORDINATION_URL: true }, {});
    expect(config).toEqual({
      NODE_ENV: 'development',
      JWT_SECRET: LOCAL_DEVELOPMENT_JWT_SECRET,
      JWT_ISSUER: expect.any(String),
      JWT_AUDIENCE: expect.any(String),
      COORDINATION_URL: 'http://127.0.0.1:8081',
    });
    expect(
      loadToolConfigOrExit({}, { NODE_ENV: 'production', JWT_SECRET: 'a-secret-of-sixteen' }).NODE_ENV,
    ).toBe('production');
  });
});
