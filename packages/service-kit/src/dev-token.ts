import { parseArgs } from 'node:util';
import { ROLES, signToken, type Role } from './auth.js';

export interface DevTokenRequest {
  sub: string;
  roles: Role[];
  /** Lifetime such as `8h`, `30m`, `7d`, or seconds. */
  ttl: string;
}

export const DEV_TOKEN_USAGE = `Usage: dev-token [--roles admin,service] [--sub local-dev] [--ttl 8h]

Prints a bearer token signed with JWT_SECRET (or the local development secret).
  --roles  comma-separated roles from: ${ROLES.join(', ')} (default: admin,service)
  --sub    token subject (default: local-dev)
  --ttl    lifetime: <n>s, <n>m, <n>h, <n>d, or seconds (default: 8h), at most JWT_MAX_TTL_SECONDS`;

export class DevTokenUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DevTokenUsageError';
  }
}

const TTL = /^(\d+)(s|m|h|d)?$/;

/** Reads `--roles`, `--sub` and `--ttl`; `help` is true when `--help` was given. */
export function parseDevTokenArgs(argv: readonly string[]): DevTokenRequest & { help: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        roles: { type: 'string', default: 'admin,service' },
        sub: { type: 'string', default: 'local-dev' },
        ttl: { type: 'string', default: '8h' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new DevTokenUsageError(error instanceof Error ? error.message : String(error));
  }

  const roles = values.roles
    .split(',')
    .map((role) => role.trim())
    .filter((role) => role.length > 0);
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0) {
    throw new DevTokenUsageError(
      `Unknown role(s): ${unknown.join(', ')}; expected some of ${ROLES.join(', ')}`,
    );
  }
  const sub = values.sub.trim();
  if (sub.length === 0) throw new DevTokenUsageError('--sub must not be empty');
  const match = TTL.exec(values.ttl.trim());
  if (!match || Number(match[1]) === 0) {
    throw new DevTokenUsageError(
      `--ttl must look like 8h, 30m, 7d, 90s or a number of seconds (got "${values.ttl}")`,
    );
  }
  return { sub, roles: roles as Role[], ttl: values.ttl.trim(), help: values.help };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** The lifetime `ttl` (as `--ttl` accepts it) in seconds. */
export function ttlSeconds(ttl: string): number {
  const match = TTL.exec(ttl.trim());
  if (!match) throw new DevTokenUsageError(`--ttl must look like 8h, 30m, 7d, 90s (got "${ttl}")`);
  return Number(match[1]) * UNIT_SECONDS[match[2] ?? 's']!;
}

/** Signs the token a developer asked for. */
export function createDevToken(
  request: DevTokenRequest,
  secret: string,
  clockTimestamp?: number,
  platform: { issuer?: string; audience?: string } = {},
): string {
  const match = TTL.exec(request.ttl);
  const expiresIn = match && match[2] === undefined ? Number(match[1]) : request.ttl;
  return signToken(secret, {
    sub: request.sub,
    roles: request.roles,
    expiresIn,
    ...platform,
    ...(clockTimestamp === undefined ? {} : { clockTimestamp }),
  });
}
