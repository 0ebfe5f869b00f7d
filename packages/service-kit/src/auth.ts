import type { FastifyPluginAsync, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import {
  createAuthenticator,
  invalidToken,
  type AuthenticatorOptions,
  type Principal,
  type Role,
} from './auth-tokens.js';
import { AppError, authenticationRequired, insufficientPermissions } from './errors.js';

export {
  createAuthenticator,
  createJwksKeyResolver,
  createTokenVerifier,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  DEFAULT_TOKEN_AUDIENCE,
  DEFAULT_TOKEN_ISSUER,
  ROLES,
  SERVICE_KEY_ID_PREFIX,
  signToken,
} from './auth-tokens.js';
export type {
  Authenticator,
  AuthenticatorOptions,
  JwksKeyResolver,
  Principal,
  Role,
  SigningKey,
  SignTokenOptions,
  TokenPolicy,
  TokenVerifier,
} from './auth-tokens.js';

/** Every route under this prefix requires a bearer token unless it opts out. */
export const API_PREFIX = '/api/v1';

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
    /**
     * The services (token subjects) that may call a route admitting the `service` role; `'*'` for
     * every service. Required whenever `roles` includes `service`: a service token is refused (403)
     * on a route that does not name its service.
     */
    services?: readonly string[] | '*';
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

export type AuthenticationOptions = Omit<AuthenticatorOptions, 'clockTimestamp'>;

/**
 * Reads the bearer token of every request and sets `request.principal`. Rejects nothing
 * by itself: {@link authorization} does, once rate limiting has counted the request.
 */
const authenticationPlugin: FastifyPluginAsync<AuthenticationOptions> = async (app, options) => {
  const verify = createAuthenticator(options);

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
      request.principal = await verify(match[1]);
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

/**
 * Admits a caller that reaches this route only through its `service` role when the route names
 * that service in `services`: orders may ask inventory to reserve, notifications may not refund.
 */
export function assertServiceAllowed(request: FastifyRequest, roles: readonly Role[]): void {
  const principal = request.principal;
  if (!principal?.roles.includes('service') || !roles.includes('service')) return;
  if (principal.roles.some((role) => role !== 'service' && roles.includes(role))) return;
  const services = request.routeOptions.config.services ?? [];
  if (services === '*' || services.includes(principal.sub)) return;
  throw insufficientPermissions(`The service ${principal.sub} may not call this operation`, {
    allowedServices: services,
  });
}

/** Enforces tokens under /api/v1, the `roles` route option and the services a route admits. */
const authorizationPlugin: FastifyPluginAsync = async (app) => {
  app.addHook('onRoute', (route) => {
    const config = route.config as { roles?: readonly Role[]; services?: unknown } | undefined;
    if (config?.roles?.includes('service') && config.services === undefined) {
      throw new Error(
        `${String(route.method)} ${route.url} admits the service role: name the services that may call it (config.services)`,
      );
    }
  });
  app.addHook('onRequest', async (request) => {
    const roles = request.routeOptions.config.roles;
    if (roles && roles.length > 0) {
      assertRoles(request, roles);
      assertServiceAllowed(request, roles);
    } else if (requiresAuthentication(request)) requirePrincipal(request);
  });
};

export const authorization = fp(authorizationPlugin, {
  name: '@fv/service-kit/authorization',
  fastify: '5.x',
  dependencies: ['@fv/service-kit/authentication'],
});
