import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createTokenVerifier } from './auth.js';
import { LOCAL_DEVELOPMENT_JWT_SECRET } from './config.js';
import { createDevToken, DevTokenUsageError, parseDevTokenArgs } from './dev-token.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

describe('parseDevTokenArgs', () => {
  it('reads roles, subject and lifetime', () => {
    expect(parseDevTokenArgs(['--roles', 'admin, service', '--sub', 'ops-1', '--ttl', '30m'])).toEqual({
      roles: ['admin', 'service'],
      sub: 'ops-1',
      ttl: '30m',
      help: false,
    });
  });

  it('has defaults for local work', () => {
    expect(parseDevTokenArgs([])).toEqual({
      roles: ['admin', 'service'],
      sub: 'local-dev',
      ttl: '8h',
      help: false,
    });
  });

  it('rejects unknown roles, bad lifetimes and unknown options', () => {
    expect(() => parseDevTokenArgs(['--roles', 'admin,root'])).toThrow(/Unknown role\(s\): root/);
    expect(() => parseDevTokenArgs(['--ttl', 'forever'])).toThrow(DevTokenUsageError);
    expect(() => parseDevTokenArgs(['--ttl', '0'])).toThrow(DevTokenUsageError);
    expect(() => parseDevTokenArgs(['--role', 'admin'])).toThrow(DevTokenUsageError);
  });
});

describe('createDevToken', () => {
  it('signs a token whose lifetime matches --ttl', () => {
    const issuedAt = Date.UTC(2030, 5, 1);
    const token = createDevToken(
      { sub: 'local-dev', roles: ['service'], ttl: '8h' },
      'dev-secret-0123456789',
      issuedAt,
    );
    const principal = createTokenVerifier('dev-secret-0123456789', { clockTimestamp: issuedAt })(token);
    expect(principal).toEqual({ sub: 'local-dev', roles: ['service'], exp: issuedAt / 1000 + 8 * 3600 });

    const inSeconds = createDevToken({ sub: 'x', roles: [], ttl: '90' }, 'dev-secret-0123456789', issuedAt);
    expect(createTokenVerifier('dev-secret-0123456789', { clockTimestamp: issuedAt })(inSeconds).exp).toBe(
      issuedAt / 1000 + 90,
    );
  });
});

// Each test starts the command as a process of its own (tsx compiling it first): seconds on a busy machine.
describe('dev-token command', { timeout: 60_000 }, () => {
  it('prints a token that verifies with JWT_SECRET', async () => {
    const secret = 'command-line-secret-123';
    const { stdout } = await run(
      tsx,
      ['src/cli/dev-token.ts', '--roles', 'admin,service', '--sub', 'local-dev', '--ttl', '8h'],
      {
        cwd: packageDir,
        env: { ...process.env, JWT_SECRET: secret, NODE_ENV: 'development' },
      },
    );
    const principal = createTokenVerifier(secret)(stdout.trim());
    expect(principal).toMatchObject({ sub: 'local-dev', roles: ['admin', 'service'] });
    expect(() => createTokenVerifier(LOCAL_DEVELOPMENT_JWT_SECRET)(stdout.trim())).toThrow();
  });

  it('falls back to the local development secret', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development' };
    delete env.JWT_SECRET;
    const { stdout } = await run(tsx, ['src/cli/dev-token.ts', '--roles', 'customer'], {
      cwd: packageDir,
      env,
    });
    expect(createTokenVerifier(LOCAL_DEVELOPMENT_JWT_SECRET)(stdout.trim())).toMatchObject({
      roles: ['customer'],
    });
  });

  it('exits with a usage message on bad arguments', async () => {
    const failure = await run(tsx, ['src/cli/dev-token.ts', '--roles', 'wizard'], { cwd: packageDir }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('Unknown role(s): wizard');
  });
});
