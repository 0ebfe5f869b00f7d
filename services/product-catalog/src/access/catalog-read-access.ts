import { AppError, authenticationRequired, rateLimitExceeded, requirePrincipal } from '@fv/service-kit';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { PUBLISHABLE_KEY_HEADER, type PublishableKeyScope } from '../domain/publishable-key.js';
import type { KeyRateLimiter } from './key-rate-limiter.js';
import type { PublishableKeyVerifier } from './publishable-key-verifier.js';

/** Route options of a catalog read open to publishable keys: public to the platform's token check, guarded by the hook. */
export interface KeyAccess {
  verifier: PublishableKeyVerifier;
  limiter: KeyRateLimiter;
}

function invalidKey(): AppError {
  return authenticationRequired('The publishable key is not valid: it is unknown or has been revoked', {
    header: 'X-Publishable-Api-Key',
  });
}

function setRateHeaders(
  reply: FastifyReply,
  decision: { limit: number; remaining: number; resetSeconds: number },
) {
  reply.header('x-ratelimit-limit', decision.limit);
  reply.header('x-ratelimit-remaining', decision.remaining);
  reply.header('x-ratelimit-reset', decision.resetSeconds);
}

/**
 * Admits a catalog read from any caller with a valid bearer token, or from one with a valid
 * publishable key in `X-Publishable-Api-Key` that holds `scope`, within the key's rate limit. A request
 * that sends a bearer token is judged by the token alone (an invalid one is refused even with a key).
 */
export function catalogReadAccess(access: KeyAccess, scope: PublishableKeyScope): onRequestAsyncHookHandler {
  return async function publishableKeyOrToken(request: FastifyRequest, reply: FastifyReply) {
    if (request.principal || request.headers.authorization !== undefined) {
      requirePrincipal(request);
      return;
    }
    const header = request.headers[PUBLISHABLE_KEY_HEADER];
    if (header === undefined) {
      throw authenticationRequired(
        'Authentication is required: send a publishable key in X-Publishable-Api-Key or an Authorization: Bearer <token> header',
      );
    }
    const key = typeof header === 'string' ? await access.verifier.verify(header.trim()) : null;
    if (!key) throw invalidKey();
    if (!key.scopes.includes(scope)) {
      throw new AppError(
        'INSUFFICIENT_PERMISSIONS',
        `This publishable key does not have the scope ${scope}`,
        {
          details: { requiredScope: scope },
        },
      );
    }
    const decision = access.limiter.take(key.id, key.rateLimitPerMinute);
    setRateHeaders(reply, decision);
    if (!decision.allowed) {
      throw rateLimitExceeded(decision.resetSeconds, {
        limit: decision.limit,
        windowSeconds: 60,
        callerClass: 'publishable-key',
      });
    }
  };
}
