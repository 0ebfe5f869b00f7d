import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP front of a schema registry that answers "schema not found" (404, error code 40403) for the
 * ids it is told to hide, and passes every other request through: a registry that has restarted and
 * serves requests before it has read back all of its schemas.
 */
export class LaggingRegistry {
  private server: http.Server | null = null;
  private readonly hidden = new Set<number>();
  /** Lookups of each hidden id answered "not found". */
  readonly denials = new Map<number, number>();
  url = '';

  constructor(private readonly upstream: string) {}

  hide(id: number): void {
    this.hidden.add(id);
  }

  reveal(id: number): void {
    this.hidden.delete(id);
  }

  async start(): Promise<this> {
    const upstream = new URL(this.upstream);
    const server = http.createServer((request, response) => {
      void this.answer(request, response, upstream).catch((error: unknown) => {
        response.writeHead(502, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error_code: 50200, message: String(error) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    // The same path prefix as the registry's (e.g. /apis/ccompat/v7), on the front's port.
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${upstream.pathname.replace(/\/$/, '')}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(request: http.IncomingMessage, response: http.ServerResponse, upstream: URL) {
    const id = /\/schemas\/ids\/(\d+)/.exec(request.url ?? '')?.[1];
    if (request.method === 'GET' && id !== undefined && this.hidden.has(Number(id))) {
      this.denials.set(Number(id), (this.denials.get(Number(id)) ?? 0) + 1);
      response.writeHead(404, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      response.end(JSON.stringify({ error_code: 40403, message: `Schema ${id} not found` }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers[name] = value;
    }
    const forwarded = await fetch(`${upstream.origin}${request.url ?? '/'}`, {
      method: request.method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    const body = Buffer.from(await forwarded.arrayBuffer());
    response.writeHead(forwarded.status, {
      'content-type': forwarded.headers.get('content-type') ?? 'application/json',
    });
    response.end(body);
  }
}
