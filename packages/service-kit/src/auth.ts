import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import type { FastifyPluginAsync, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { AppError, authenticationRequired, insufficientPermissions } from './errors.js';

export const ROLES = ['customer', 'service', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Every route under this prefix requires a bearer token unless it opts out. */
export const API_PREFIX = '/api/v1';

/** The authenticated caller, from a verified token. */
export interface Principal {
  /** Token subject: a customer id, a service name or an operator. */
  sub: string;
  roles: readonly Role[];
  /** Expiry, in seconds since the epoch. */
  exp: number;
}

export interface SignTokenOptions {
  sub: string;
  roles: readonly Role[];
  /** Lifetime: seconds, or a duration such as `'15m'`, `'8h'`, `'7d'`. */
  expiresIn: number | string;
  /** Signing time in milliseconds since the epoch; now when omitted. */
  clockTimestamp?: number;
}

/** Signs an HS256 token carrying `sub` and `roles`, as every service accepts. */
export function signToken(secret: string, options: SignTokenOptions): string {
  const sign = createSigner({
    key: secret,
    algorithm: 'HS256',
    expiresIn: typeof options.expiresIn === 'number' ? options.expiresIn * 1000 : options.expiresIn,
    ...(options.clockTimestamp === undefined ? {} : { clockTimestamp: options.clockTimestamp }),
  });
  return sign({ sub: options.sub, roles: [...options.roles] });
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  roles: z.array(z.enum(ROLES)),
  exp: z.number(),
});

export type TokenVerifier = (token: string) => Principal;

/**
 * Verifies HS256 tokens signed with `secret` and returns their principal.
 *
 * @throws {AppError} AUTHENTICATION_REQUIRED when the token is malformed, badly signed,
 * expired or lacks valid `sub`/`roles` claims.
 */
export function createTokenVerifier(
  secret: string,
  options: { clockTimestamp?: number } = {},
): TokenVerifier {
  const verify = createVerifier({
    key: secret,
    algorithms: ['HS256'],
    requiredClaims: ['sub', 'exp'],
    cache: true,
    ...(options.clockTimestamp === undefined ? {} : { clockTimestamp: options.clockTimestamp }),
  });
  return (token) => {
    let payload: unknown;
    try {
      payload = verify(token);
    } catch (error) {
      if (error instanceof TokenError && error.code === TokenError.codes.expired) {
        throw invalidToken('The bearer token has expired', error);
      }
      throw invalidToken('The bearer token is invalid', error);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      throw invalidToken(`The bearer token must carry a subject and roles drawn from ${ROLES.join(', ')}`);
    }
    return { sub: claims.data.sub, roles: claims.data.roles, exp: claims.data.exp };
  };
}

function invalidToken(message: string, cause?: unknown): AppError {
  return new AppError('AUTHENTICATION_REQUIRED', message, {
    cause,
    headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="${message}"` },
  });
}

const BEARER = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)[ ]*$/i;

const kAuthFailure = Symbol('fv.authFailure');

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller, or null when the request carried no valid token. */
    principal: Principal | null;
    [kAuthFailure]: AppError | null;
  }

  interface FastifyInstance {
    /** A hook that admits only callers holding at least one of `roles`. */
    requireRoles(...roles: Role[]): preHandlerAsyncHookHandler;
  }

  interface FastifyContextConfig {
    /** Serve this route under /api/v1 without a token. */
    public?: boolean;
    /** Admit only callers holding at least one of these roles. */
    roles?: readonly Role[];
  }
}

/** Whether a route needs a verified token: everything under /api/v1 that does not opt out. */
export function requiresAuthentication(request: FastifyRequest): boolean {
  const url = request.routeOptions.url;
  if (url === undefined || request.routeOptions.config.public === true) return false;
  return url === API_PREFIX || url.startsWith(`${API_PREFIX}/`);
}

/** The caller of a protected route. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (request.principal) return request.principal;
  throw (
    request[kAuthFailure] ??
    authenticationRequired('Authentication is required: send an Authorization: Bearer <token> header')
  );
}

/** Admits the request only when its principal holds at least one of `roles`. */
export function assertRoles(request: FastifyRequest, roles: readonly Role[]): void {
  const principal = requirePrincipal(request);
  if (roles.length === 0 || roles.some((role) => principal.roles.includes(role))) return;
  throw insufficientPermissions(`This operation requires one of the roles: ${roles.join(', ')}`, {
    requiredRoles: roles,
  });
}

export interface AuthenticationOptions {
  secret: string;
}

/**
 * Reads the bearer token of every request and sets `request.principal`. Rejects nothing
 * by itself: {@link authorization} does, once rate limiting has counted the request.
 */
const authenticationPlugin: FastifyPluginAsync<AuthenticationOptions> = async (app, options) => {
  const verify = createTokenVerifier(options.secret);

  app.decorateRequest('principal', null);
  app.decorateRequest(kAuthFailure, null);
  app.decorate('requireRoles', (...roles: Role[]): preHandlerAsyncHookHandler => {
    return async (request) => {
      assertRoles(request, roles);
    };
  });

  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) return;
    const match = BEARER.exec(header);
    if (!match?.[1]) {
      request[kAuthFailure] = invalidToken('The Authorization header must use the Bearer scheme');
      return;
    }
    try {
      request.principal = verify(match[1]);
    } catch (error) {
      request[kAuthFailure] =
        error instanceof AppError ? error : invalidToken('The bearer token is invalid', error);
    }
  });
};

export const authentication = fp(authenticationPlugin, {
  name: '@fv/service-kit/authentication',
  fastify: '5.x',
});

/** Enforces tokens under /api/v1 and the `roles` route option (on any route that sets it). */
const authorizationPlugin: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', async (request) => {
    const roles = request.routeOptions.config.roles;
    if (roles && roles.length > 0) assertRoles(request, roles);
    else if (requiresAuthentication(request)) requirePrincipal(request);
  });
};

export const authorization = fp(authorizationPlugin, {
  name: '@fv/service-kit/authorization',
  fastify: '5.x',
  dependencies: ['@fv/service-kit/authentication'],
});
