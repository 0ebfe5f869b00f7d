import { requirePrincipal } from '@fv/service-kit';
import type { FastifyRequest } from 'fastify';
import type { RequestMeta } from '../catalog-context.js';

export function requestMeta(request: FastifyRequest): RequestMeta {
  return { actor: requirePrincipal(request).sub, traceparent: request.traceContext.traceparent };
}
