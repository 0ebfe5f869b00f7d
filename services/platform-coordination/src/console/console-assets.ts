import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { serviceUnavailable } from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';

/** Where the console's build (console/build.mjs, run by the package's `generate` step) writes the page. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist/', import.meta.url));

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'console.js.map': 'application/json; charset=utf-8',
};

/** The page runs only its own script and style, and talks only to this service. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * The saga console's static files at /console (no token needed: the page itself signs in with an admin
 * token and sends it on every API call). Read once from console/dist and kept in memory.
 */
export function consoleAssets(app: FastifyInstance, dist = CONSOLE_DIST): void {
  const cache = new Map<string, Buffer>();
  const load = async (name: string): Promise<Buffer> => {
    const cached = cache.get(name);
    if (cached) return cached;
    try {
      const body = await readFile(`${dist}${name}`);
      cache.set(name, body);
      return body;
    } catch {
      throw serviceUnavailable(
        'The console has not been built: run `npm run generate` (or `npm start`), which builds console/dist',
        { file: name },
      );
    }
  };
  const send = (name: string) => async (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply.headers({ ...SECURITY_HEADERS, 'content-type': FILES[name]! }).send(await load(name));

  const hidden = { hide: true } as const;
  app.get('/console', { schema: hidden, config: { rateLimit: false } }, send('index.html'));
  app.get('/console/', { schema: hidden, config: { rateLimit: false } }, send('index.html'));
  for (const name of ['console.js', 'console.css', 'console.js.map']) {
    app.get(`/console/${name}`, { schema: hidden, config: { rateLimit: false } }, send(name));
  }
}
