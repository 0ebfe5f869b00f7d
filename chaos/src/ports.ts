import net from 'node:net';
import { freePort, portAllocator } from '@fv/testing';

/** Whether 127.0.0.1:`port` can be listened on now. */
async function canListen(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The platform's port allocator: any free port, or, given a range, the free ports of that range in turn
 * (so that a run beside others keeps to the ports it was given). Never the same port twice.
 */
export function platformPorts(range: [number, number] | null): () => Promise<number> {
  if (!range) return freePort;
  const [first, last] = range;
  let next = first;
  return portAllocator(async () => {
    for (let tried = 0; tried <= last - first; tried += 1) {
      const port = next;
      next = next >= last ? first : next + 1;
      if (await canListen(port)) return port;
    }
    throw new Error(`no free port left in ${first}-${last}`);
  });
}
