import { requirePrincipal } from '@fv/service-kit';
import type { FastifyRequest } from 'fastify';
import type { RequestMeta } from '../catalog-context.js';
import type { IdempotencyInput } from '../use-cases/idempotent-request.js';

export function requestMeta(request: FastifyRequest): RequestMeta {
  return { actor: requirePrincipal(request).sub, traceparent: request.traceContext.traceparent };
}

/** The request's X-Idempotency-Key, scoped to the operation and the caller, or null when none was sent. */
export function idempotencyOf(request: FastifyRequest, operation: string): IdempotencyInput | null {
  const key = request.headers['x-idempotency-key'];
  if (typeof key !== 'string') return null;
  return { scope: `${operation}:${requirePrincipal(request).sub}`, key, body: request.body };
}
