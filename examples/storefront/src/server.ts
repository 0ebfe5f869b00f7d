import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { nameBasedUuid, signToken } from '@fv/service-kit';
import { build } from 'esbuild';

/**
 * The storefront's own server: the page, its script (bundled from src/client at start), the settings the
 * page needs, and a stand-in sign-in. Everything else the page asks of the platform directly, from the
 * browser: the catalog with the publishable key, the order service with the customer's token.
 */
export interface StorefrontOptions {
  /** Base URL of the product catalog, e.g. http://127.0.0.1:8082 (the page calls `<url>/api/v1`). */
  catalogUrl: string;
  /** Base URL of the order service. */
  ordersUrl: string;
  /** The catalog key the page browses with; a function when it is created after the server starts. */
  publishableKey: string | (() => Promise<string>);
  /** Secret the platform's services verify tokens with: the sign-in signs customer tokens with it. */
  jwtSecret: string;
  /** Lifetime of a customer token (seconds, default 3600). */
  sessionSeconds?: number;
}

/** The payment simulator's test cards, as the checkout offers them. */
export const TEST_CARDS = [
  { token: 'tok_visa_4242', label: 'Visa •••• 4242 (approved)' },
  { token: 'tok_mastercard_4444', label: 'Mastercard •••• 4444 (approved)' },
  { token: 'tok_decline', label: 'Card declined' },
  { token: 'tok_insufficient_funds', label: 'Insufficient funds' },
  { token: 'tok_expired_card', label: 'Expired card' },
] as const;

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
const CLIENT_ENTRY = fileURLToPath(new URL('./client/main.ts', import.meta.url));
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
const MAX_BODY_BYTES = 4096;

/**
 * The customer id of an e-mail address: a name-based UUID, so the same address signs in as the same
 * customer (and sees the same orders) every time.
 */
export function customerIdOf(email: string): string {
  return nameBasedUuid('storefront-customer', email.trim().toLowerCase());
}

/** The page's script, bundled once. */
async function bundleClient(): Promise<string> {
  const result = await build({
    entryPoints: [CLIENT_ENTRY],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

function send(
  response: ServerResponse,
  status: number,
  body: string,
  type: string,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  response.end(body);
}

/** Errors in the platform's envelope, so the page reads every refusal the same way. */
function sendError(response: ServerResponse, status: number, code: string, message: string) {
  const body = { error: { code, message, status, timestamp: new Date().toISOString() } };
  send(response, status, JSON.stringify(body), 'application/json');
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new RangeError('body too large');
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export interface Storefront {
  server: Server;
  /** Listens; answers the page's address. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export async function createStorefront(options: StorefrontOptions): Promise<Storefront> {
  const [page, styles, script] = await Promise.all([
    readFile(`${PUBLIC_DIR}index.html`, 'utf8'),
    readFile(`${PUBLIC_DIR}styles.css`, 'utf8'),
    bundleClient(),
  ]);
  const origins = [options.catalogUrl, options.ordersUrl].map((url) => new URL(url).origin);
  const policy = [
    "default-src 'self'",
    `connect-src 'self' ${[...new Set(origins)].join(' ')}`,
    "img-src 'self' data:",
    "frame-ancestors 'none'",
  ].join('; ');
  const publishableKey =
    typeof options.publishableKey === 'string'
      ? () => Promise.resolve(options.publishableKey as string)
      : options.publishableKey;
  const sessionSeconds = options.sessionSeconds ?? 3600;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { pathname } = new URL(request.url ?? '/', 'http://storefront');
    const method = request.method ?? 'GET';
    if (method === 'GET' && (pathname === '/' || pathname === '/index.html')) {
      return send(response, 200, page, 'text/html; charset=utf-8', { 'content-security-policy': policy });
    }
    if (method === 'GET' && pathname === '/styles.css')
      return send(response, 200, styles, 'text/css; charset=utf-8');
    if (method === 'GET' && pathname === '/app.js') {
      return send(response, 200, script, 'text/javascript; charset=utf-8');
    }
    if (method === 'GET' && pathname === '/health/live') {
      return send(response, 200, JSON.stringify({ status: 'UP' }), 'application/json');
    }
    if (method === 'GET' && pathname === '/config.json') {
      const key = await publishableKey().catch(() => null);
      if (!key) return sendError(response, 503, 'SERVICE_UNAVAILABLE', 'The catalog key is not ready yet');
      const config = {
        catalogApi: `${options.catalogUrl}/api/v1`,
        ordersApi: `${options.ordersUrl}/api/v1`,
        publishableKey: key,
        cards: TEST_CARDS,
      };
      return send(response, 200, JSON.stringify(config), 'application/json', { 'cache-control': 'no-store' });
    }
    if (pathname === '/session') {
      if (method !== 'POST') return sendError(response, 405, 'METHOD_NOT_ALLOWED', 'POST an e-mail address');
      let email: unknown;
      try {
        email = ((await readJson(request)) as { email?: unknown } | null)?.email;
      } catch {
        return sendError(response, 400, 'INVALID_REQUEST', 'The body must be JSON: {"email": "..."}');
      }
      if (typeof email !== 'string' || !EMAIL.test(email.trim())) {
        return sendError(response, 400, 'INVALID_REQUEST', 'email must be an e-mail address');
      }
      const customerId = customerIdOf(email);
      const token = signToken(options.jwtSecret, {
        sub: customerId,
        roles: ['customer'],
        expiresIn: sessionSeconds,
      });
      const session = {
        email: email.trim().toLowerCase(),
        customerId,
        token,
        expiresAt: new Date(Date.now() + sessionSeconds * 1000).toISOString(),
      };
      return send(response, 200, JSON.stringify(session), 'application/json', {
        'cache-control': 'no-store',
      });
    }
    return sendError(response, 404, 'NOT_FOUND', `Nothing at ${method} ${pathname}`);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error('storefront request failed', error);
      if (!response.headersSent) sendError(response, 500, 'INTERNAL_ERROR', 'The storefront failed');
      else response.destroy();
    });
  });
  return {
    server,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          resolve(`http://${host}:${address.port}`);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
