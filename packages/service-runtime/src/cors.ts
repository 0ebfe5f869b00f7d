import fastifyCors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { envList } from '@fv/service-kit';

/** Request headers a browser may send to the API (besides the CORS-safelisted ones). */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-Idempotency-Key',
  'X-Correlation-Id',
  'X-Publishable-Api-Key',
  'traceparent',
  'Last-Event-ID',
] as const;

/** Response headers a browser script may read (besides the CORS-safelisted ones). */
export const CORS_EXPOSED_HEADERS = [
  'Location',
  'Link',
  'X-Correlation-Id',
  'X-Trace-Id',
  'Idempotent-Replayed',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
] as const;

const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** An origin as browsers send it: scheme, host and optional port, nothing else. */
function normalizeOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return null;
    return url.origin;
  } catch {
    return null;
  }
}

/**
 * `CORS_ORIGINS`: a comma-separated list of origins (`https://shop.example.com,http://localhost:8088`)
 * whose pages may call the API. Unset, local development admits pages served from this machine
 * (`localhost`, `127.0.0.1`, `[::1]`, any port) and every other environment admits none.
 */
export function corsOriginsSetting() {
  return envList()
    .refine((origins) => origins.every((origin) => normalizeOrigin(origin) !== null), {
      message:
        'must be a comma-separated list of origins such as https://shop.example.com (scheme, host and port only)',
    })
    .transform((origins) => [...new Set(origins.map((origin) => normalizeOrigin(origin)!))])
    .optional();
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Decides whether a page's origin may call the API. */
export type CorsOriginPolicy = (origin: string) => boolean;

/** The origins admitted under a configuration (see {@link corsOriginsSetting}). */
export function corsOriginPolicy(config: {
  NODE_ENV: string;
  CORS_ORIGINS?: readonly string[] | undefined;
}): CorsOriginPolicy {
  if (config.CORS_ORIGINS !== undefined) {
    const allowed = new Set(config.CORS_ORIGINS);
    return (origin) => {
      const normalized = normalizeOrigin(origin);
      return normalized !== null && allowed.has(normalized);
    };
  }
  if (config.NODE_ENV === 'development') {
    return (origin) => {
      const normalized = normalizeOrigin(origin);
      return normalized !== null && LOOPBACK_HOSTS.has(new URL(normalized).hostname);
    };
  }
  return () => false;
}

function originOf(request: FastifyRequest): string | null {
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin.length > 0 ? origin : null;
}

/**
 * CORS for every route of the app (register it before the routes): preflights from an admitted origin
 * are answered with the methods and headers the API uses, and responses to it carry
 * `Access-Control-Allow-Origin` and the exposed headers. A page from any other origin gets no CORS
 * header at all (its preflight answers 404), so the browser keeps its script out. No credentials: the
 * API authenticates with bearer tokens and publishable keys, never cookies.
 */
export async function registerCors(app: FastifyInstance, policy: CorsOriginPolicy): Promise<void> {
  await app.register(fastifyCors, {
    origin: (origin, callback) => callback(null, origin !== undefined && policy(origin)),
    methods: [...CORS_METHODS],
    allowedHeaders: [...CORS_ALLOWED_HEADERS],
    exposedHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    credentials: false,
    strictPreflight: true,
  });
  // A request refused by an earlier hook (401 without a token, 429 over the rate limit) never reaches
  // the plugin's hook; its error must still be readable by the page that sent it.
  app.addHook('onSend', async (request, reply) => {
    const origin = originOf(request);
    if (!origin || reply.hasHeader('access-control-allow-origin') || !policy(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-expose-headers', CORS_EXPOSED_HEADERS.join(', '));
    const vary = reply.getHeader('vary');
    if (
      !String(vary ?? '')
        .toLowerCase()
        .includes('origin')
    ) {
      reply.header('vary', vary ? `${String(vary)}, Origin` : 'Origin');
    }
  });
}
