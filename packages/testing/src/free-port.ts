import net from 'node:net';

/** The ports of the stack `npm start` runs: a test or a benchmark must never take them. */
const NPM_START_PORTS = new Set([9092, 9093, 8090, 8081, 8082, 8083, 8084, 8085, 8086, 8087, 8088]);

/** A port of 127.0.0.1 the operating system offers as free (listen on port 0, then close). */
async function probeFreePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Hands out ports that are free now, are not `npm start`'s, and were never handed out before by this
 * allocator. The operating system may offer a port again as soon as its probe is closed, while a port
 * handed out is bound only later (a server starts, a proxy listens): without this memory two servers of
 * one platform can be given the same port, and the second never starts.
 */
export function portAllocator(probe: () => Promise<number> = probeFreePort): () => Promise<number> {
  const handedOut = new Set<number>();
  return async () => {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const port = await probe();
      if (handedOut.has(port) || NPM_START_PORTS.has(port)) continue;
      handedOut.add(port);
      return port;
    }
    throw new Error('found no free port that was not handed out already');
  };
}

/** A free port of 127.0.0.1, never one this process was handed before. */
export const freePort = portAllocator();
