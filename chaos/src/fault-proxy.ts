import net from 'node:net';

export interface ProxyStats {
  /** Connections accepted and forwarded. */
  forwarded: number;
  /** Live connections dropped by cut(). */
  dropped: number;
  /** Connections refused (reset at once) while cut. */
  refused: number;
}

/**
 * A TCP proxy in front of one upstream (a service's PostgreSQL connections) that the suite can cut: cut()
 * drops every live connection at once (both sides reset) and refuses new ones until restore().
 */
export class FaultProxy {
  private server: net.Server | null = null;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private cutSince: number | null = null;
  readonly stats: ProxyStats = { forwarded: 0, dropped: 0, refused: 0 };

  constructor(
    private readonly upstream: { host: string; port: number },
    private readonly name = 'proxy',
  ) {}

  /** Listens on 127.0.0.1 (port 0: a free one) and answers the port. */
  async listen(port = 0): Promise<number> {
    const server = net.createServer((client) => this.accept(client));
    server.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    return this.port;
  }

  get port(): number {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error(`${this.name} is not listening`);
    return address.port;
  }

  get isCut(): boolean {
    return this.cutSince !== null;
  }

  /** Live connections right now. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Drops every live connection and refuses new ones until restore(). Answers how many were dropped. */
  cut(): number {
    this.cutSince ??= Date.now();
    const dropped = this.pairs.size;
    for (const pair of [...this.pairs]) this.drop(pair);
    this.stats.dropped += dropped;
    return dropped;
  }

  restore(): void {
    this.cutSince = null;
  }

  async close(): Promise<void> {
    for (const pair of [...this.pairs]) this.drop(pair);
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.cutSince !== null) {
      this.stats.refused += 1;
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    this.stats.forwarded += 1;
    client.pause();
    const upstream = net.connect(this.upstream.port, this.upstream.host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const end = () => this.drop(pair);
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    upstream.on('connect', () => {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  private drop(pair: { client: net.Socket; upstream: net.Socket }): void {
    if (!this.pairs.delete(pair)) return;
    for (const socket of [pair.client, pair.upstream]) {
      if (socket.destroyed) continue;
      // A reset, as a broken network path or a dead peer looks to the driver.
      if (socket.readyState === 'opening') socket.destroy();
      else socket.resetAndDestroy();
    }
  }
}
