import rateLimitPlugin from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Principal } from './auth.js';
import { rateLimitExceeded } from './errors.js';

export type CallerClass = 'service' | 'admin' | 'external';

export interface RateLimitSettings {
  /** Requests allowed per window for each caller class. */
  max?: Partial<Record<CallerClass, number>>;
  /** Window length in milliseconds; one hour by default. */
  timeWindowMs?: number;
}

/** Platform limits per hour: services 10000, admins 5000, everyone else 1000. */
export const DEFAULT_RATE_LIMITS: Readonly<Record<CallerClass, number>> = {
  service: 10_000,
  admin: 5_000,
  external: 1_000,
};

export const DEFAULT_RATE_LIMIT_WINDOW_MS = 60 * 60 * 1000;

/** A caller holding several roles gets the most generous class among them. */
export function callerClass(principal: Principal | null): CallerClass {
  if (principal?.roles.includes('service')) return 'service';
  if (principal?.roles.includes('admin')) return 'admin';
  return 'external';
}

/** Authenticated callers are counted by token subject, anonymous ones by address. */
export function rateLimitKey(request: FastifyRequest): string {
  return request.principal ? `sub:${request.principal.sub}` : `ip:${request.ip}`;
}

/**
 * Limits every route except probes (`config: { probe: true }`, which /metrics also
 * sets) and routes that set `config: { rateLimit: false }`. Counting happens after authentication has identified the caller and
 * before the request is rejected for a missing token, so anonymous floods are counted
 * too. Counters live in this process's memory.
 */
const rateLimitingPlugin: FastifyPluginAsync<RateLimitSettings> = async (app, settings) => {
  const limits = { ...DEFAULT_RATE_LIMITS, ...settings.max };
  const timeWindow = settings.timeWindowMs ?? DEFAULT_RATE_LIMIT_WINDOW_MS;

  // Registered without global hooks: the check below decides where it runs.
  await app.register(rateLimitPlugin, { global: false, timeWindow });
  const check = app.createRateLimit({
    timeWindow,
    max: (request) => limits[callerClass(request.principal)],
    keyGenerator: rateLimitKey,
  });

  app.addHook('onRequest', async (request, reply) => {
    const { config } = request.routeOptions;
    if (config.rateLimit === false || config.probe === true) return;
    const result = await check(request);
    if (result.isAllowed) return;

    const resetSeconds = Math.max(1, result.ttlInSeconds);
    reply.header('x-ratelimit-limit', result.max);
    reply.header('x-ratelimit-remaining', result.remaining);
    reply.header('x-ratelimit-reset', resetSeconds);
    if (result.isExceeded) {
      throw rateLimitExceeded(resetSeconds, {
        limit: result.max,
        windowSeconds: Math.round(timeWindow / 1000),
        callerClass: callerClass(request.principal),
      });
    }
  });
};

export const rateLimiting = fp(rateLimitingPlugin, {
  name: '@fv/service-kit/rate-limiting',
  fastify: '5.x',
  dependencies: ['@fv/service-kit/authentication'],
});
