import { z } from 'zod';
import {
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  DEFAULT_TOKEN_AUDIENCE,
  DEFAULT_TOKEN_ISSUER,
} from './auth-tokens.js';

/** Log levels understood by every logger in the platform, most severe first. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Signing secret used when `JWT_SECRET` is not set and the environment says local development
 * explicitly (`NODE_ENV=development`, as `npm start` sets, or `NODE_ENV=test`, as the test runner
 * sets). It is public knowledge and therefore refused everywhere else.
 */
export const LOCAL_DEVELOPMENT_JWT_SECRET = 'local-development-secret-change-me';

const RUNTIME_ENVIRONMENTS = ['development', 'test', 'production'] as const;

const INTEGER_PATTERN = /^[+-]?\d+$/;
// host:port, where host may be a name, an IPv4 address or a bracketed IPv6 address.
const BROKER_PATTERN = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/;

/** An integer read from the environment, accepted as a decimal string. */
export function envInteger(min: number, max: number) {
  const rule = `must be an integer between ${min} and ${max}`;
  return z.preprocess(
    (value) =>
      typeof value === 'string' && INTEGER_PATTERN.test(value.trim()) ? Number(value.trim()) : value,
    z
      .number({ required_error: 'is required', invalid_type_error: rule })
      .int(rule)
      .min(min, rule)
      .max(max, rule),
  );
}

/** A boolean read from the environment: true/false, 1/0, yes/no, on/off (any case). */
export function envBoolean() {
  const rule = 'must be one of true, false, 1, 0, yes, no, on, off';
  return z.preprocess(
    (value) => {
      if (typeof value !== 'string') return value;
      const normalized = value.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
      if (['false', '0', 'no', 'off'].includes(normalized)) return false;
      return value;
    },
    z.boolean({ required_error: 'is required', invalid_type_error: rule }),
  );
}

/** An absolute http(s) URL. */
export function envUrl() {
  return z.string({ required_error: 'is required' }).refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { message: 'must be an absolute http(s) URL' },
  );
}

export interface EnvListOptions {
  /** Upper-case every entry (codes such as currencies, countries or channels). */
  upperCase?: boolean;
  /** `none` (any case) stands for the empty list. */
  noneIsEmpty?: boolean;
}

/** Splits a comma-separated value: each entry trimmed (and upper-cased if asked), the empty ones dropped. */
export function splitEnvList(value: string, options: EnvListOptions = {}): string[] {
  if (options.noneIsEmpty && value.trim().toLowerCase() === 'none') return [];
  return value
    .split(',')
    .map((entry) => (options.upperCase ? entry.trim().toUpperCase() : entry.trim()))
    .filter((entry) => entry.length > 0);
}

/** A comma-separated list read from the environment, as {@link splitEnvList} splits it. */
export function envList(options: EnvListOptions = {}) {
  return z.string({ required_error: 'is required' }).transform((value) => splitEnvList(value, options));
}

/** A comma-separated list of delays in milliseconds (each a whole number below 10,000,000), e.g. 1000,2000,4000. */
export function envDelayList() {
  const rule = 'must be a comma-separated list of non-negative integers (milliseconds), e.g. 1000,2000,4000';
  return z
    .string({ required_error: 'is required' })
    .refine((value) => value.split(',').every((entry) => /^\s*\d{1,7}\s*$/.test(entry)), { message: rule })
    .transform((value) => value.split(',').map((entry) => Number(entry.trim())));
}

/** A comma-separated list of Kafka bootstrap brokers (`host:port`). */
export function envBrokerList() {
  const rule = 'must be a comma-separated list of host:port entries';
  return envList().refine(
    (brokers) => brokers.length > 0 && brokers.every((broker) => BROKER_PATTERN.test(broker)),
    {
      message: rule,
    },
  );
}

/**
 * Variables every service reads. A service adds its own with
 * `baseConfigSchema.extend({ ... })` and passes the result to {@link loadConfig}.
 */
export const baseConfigSchema = z.object({
  NODE_ENV: z
    .enum(RUNTIME_ENVIRONMENTS, {
      errorMap: () => ({ message: `must be one of ${RUNTIME_ENVIRONMENTS.join(', ')}` }),
    })
    // Unset is not local development: the scripts of `npm start` and `npm test` say so explicitly.
    .default('production'),
  SERVICE_NAME: z.string({ required_error: 'is required' }).min(1, 'must not be empty'),
  SERVICE_VERSION: z.string().min(1, 'must not be empty').default('0.1.0'),
  HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  PORT: envInteger(1, 65535),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { errorMap: () => ({ message: `must be one of ${LOG_LEVELS.join(', ')}` }) })
    .default('info'),
  /** HS256 key; the local development secret when NODE_ENV is development or test and it is unset. */
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Where an identity provider publishes the RS256/ES256 keys of the tokens it issues. */
  JWT_JWKS_URL: envUrl().optional(),
  JWT_ISSUER: z.string().min(1, 'must not be empty').default(DEFAULT_TOKEN_ISSUER),
  JWT_AUDIENCE: z.string().min(1, 'must not be empty').default(DEFAULT_TOKEN_AUDIENCE),
  /** The longest lifetime (`exp - iat`) an accepted token may declare. */
  JWT_MAX_TTL_SECONDS: envInteger(60, 30 * 24 * 3600).default(DEFAULT_MAX_TOKEN_LIFETIME_SECONDS),
  /** This service's own private key (PEM; RSA or P-256) for the tokens it presents to others. */
  SERVICE_SIGNING_KEY: z.string().min(1, 'must not be empty').optional(),
  KAFKA_BROKERS: envBrokerList().default('127.0.0.1:9092'),
  SCHEMA_REGISTRY_URL: envUrl().default('http://127.0.0.1:8090/apis/ccompat/v7'),
  /** How long a schema id the registry denies knowing is held as its outage before the message is dead-lettered. */
  SCHEMA_REGISTRY_UNKNOWN_ID_GRACE_MS: envInteger(0, 3_600_000).default(60_000),
  DATABASE_URL: z.string().min(1, 'must not be empty').optional(),
  COORDINATION_URL: envUrl().default('http://127.0.0.1:8081'),
  SHUTDOWN_TIMEOUT_MS: envInteger(1, 600_000).default(10_000),
  /** How long one run of the health checks answers `/health` (0: every request runs them). */
  HEALTH_CACHE_MS: envInteger(0, 60_000).default(1000),
  /** Health document requests each caller may make per minute (0: unlimited). Probes are not limited. */
  HEALTH_RATE_LIMIT_PER_MINUTE: envInteger(0, 1_000_000).default(120),
});

export type BaseConfig = z.output<typeof baseConfigSchema>;

export type Environment = Readonly<Record<string, string | undefined>>;

export interface ConfigIssue {
  /** The environment variable at fault. */
  variable: string;
  /** The rule it breaks, in words. */
  rule: string;
  /** How the offending value is shown in messages (secrets are never echoed). */
  received?: string;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map(
      (issue) => `  - ${issue.variable}: ${issue.rule}${issue.received ? ` (got ${issue.received})` : ''}`,
    );
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`Invalid configuration (${count}):\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

const SENSITIVE_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|KEY|CREDENTIAL/i;

function describeReceived(variable: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (SENSITIVE_NAME.test(variable)) {
    return `a value of ${value.length} character${value.length === 1 ? '' : 's'}`;
  }
  try {
    const url = new URL(value);
    if (url.password) {
      url.password = '***';
      return JSON.stringify(url.toString());
    }
  } catch {
    // not a URL: shown as is
  }
  return JSON.stringify(value);
}

/** Empty variables count as unset, so `PORT=` falls back to the default like a missing one. */
function normalize(env: Environment): Record<string, string> {
  const normalized: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') normalized[key] = value;
  }
  return normalized;
}

function declaresVariable(schema: z.ZodTypeAny, variable: string): boolean {
  return schema instanceof z.ZodObject && Object.hasOwn(schema.shape as object, variable);
}

/**
 * Parses the environment against `schema` once, at start-up.
 *
 * @throws {ConfigError} naming every variable that is missing or breaks its rule.
 */
export function loadConfig<S extends z.ZodTypeAny>(
  schema: S,
  env: Environment = process.env,
): Readonly<z.output<S>> {
  const input = normalize(env);
  const result = schema.safeParse(input);
  const issues: ConfigIssue[] = [];

  if (!result.success) {
    for (const issue of result.error.issues) {
      const variable = issue.path.length > 0 ? issue.path.map(String).join('.') : '(configuration)';
      const first = issue.path[0];
      const raw = typeof first === 'string' ? input[first] : undefined;
      const received = describeReceived(variable, raw);
      issues.push(
        received === undefined
          ? { variable, rule: issue.message }
          : { variable, rule: issue.message, received },
      );
    }
  }

  const secret = signingSecretIssue(schema, input);
  if (secret) issues.push(secret);

  if (issues.length > 0 || !result.success) throw new ConfigError(issues);
  const data = result.data as Record<string, unknown>;
  if (declaresVariable(schema, 'JWT_SECRET') && data.JWT_SECRET === undefined && isLocalDevelopment(input)) {
    data.JWT_SECRET = LOCAL_DEVELOPMENT_JWT_SECRET;
  }
  return Object.freeze(data) as Readonly<z.output<S>>;
}

/** Local development is what the environment says explicitly: NODE_ENV=development or test. */
export function isLocalDevelopment(env: Environment): boolean {
  return env.NODE_ENV === 'development' || env.NODE_ENV === 'test';
}

/**
 * Outside local development a service needs a key of its own: JWT_SECRET (not the public
 * development one), or JWT_JWKS_URL when an identity provider issues the tokens.
 */
function signingSecretIssue(schema: z.ZodTypeAny, input: Record<string, string>): ConfigIssue | null {
  if (!declaresVariable(schema, 'JWT_SECRET') || isLocalDevelopment(input)) return null;
  const environment = input.NODE_ENV ? `NODE_ENV=${input.NODE_ENV}` : 'NODE_ENV is not set';
  if (input.JWT_SECRET === LOCAL_DEVELOPMENT_JWT_SECRET) {
    return {
      variable: 'JWT_SECRET',
      rule: `must not be the public local development secret (${environment}); it is accepted only when NODE_ENV is development or test`,
    };
  }
  if (input.JWT_SECRET !== undefined) return null;
  if (declaresVariable(schema, 'JWT_JWKS_URL') && input.JWT_JWKS_URL !== undefined) return null;
  return {
    variable: 'JWT_SECRET',
    rule:
      `is required (${environment}): set a secret of at least 16 characters, or JWT_JWKS_URL for tokens ` +
      'from an identity provider; the development key is used only when NODE_ENV is development or test',
  };
}

export interface ExitTerminal {
  writeError(message: string): void;
  exit(code: number): never;
}

const processTerminal: ExitTerminal = {
  writeError: (message) => {
    process.stderr.write(message);
  },
  exit: (code) => process.exit(code),
};

/**
 * {@link loadConfig} for a process entry point: a bad configuration prints the message to
 * stderr and exits with status 1.
 */
export function loadConfigOrExit<S extends z.ZodTypeAny>(
  schema: S,
  env: Environment = process.env,
  terminal: ExitTerminal = processTerminal,
): Readonly<z.output<S>> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      terminal.writeError(`${error.message}\n`);
      return terminal.exit(1);
    }
    throw error;
  }
}

const TOOL_SIGNING_VARIABLES = {
  NODE_ENV: true,
  JWT_SECRET: true,
  JWT_ISSUER: true,
  JWT_AUDIENCE: true,
} as const;

type BaseVariable = keyof typeof baseConfigSchema.shape;

/**
 * The configuration of an operator's command-line tool that signs its own tokens (`dev-token`, `dlq`):
 * the signing variables and the `extra` ones of {@link baseConfigSchema}. An unset NODE_ENV counts as
 * local development here; a bad configuration exits as with {@link loadConfigOrExit}.
 */
export function loadToolConfigOrExit<
  const Extra extends Partial<Record<BaseVariable, true>> = Record<never, true>,
>(
  extra: Extra = {} as Extra,
  env: Environment = process.env,
  terminal?: ExitTerminal,
): Readonly<Pick<BaseConfig, keyof typeof TOOL_SIGNING_VARIABLES | (keyof Extra & BaseVariable)>> {
  const schema = baseConfigSchema.pick({ ...TOOL_SIGNING_VARIABLES, ...extra } as Record<BaseVariable, true>);
  return loadConfigOrExit(schema, { NODE_ENV: 'development', ...env }, terminal);
}
