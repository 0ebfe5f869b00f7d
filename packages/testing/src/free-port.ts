import fs from 'node:fs';
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

/** Linux's default range of ephemeral ports: the local ports the kernel gives outgoing connections. */
const LINUX_EPHEMERAL: [number, number] = [32768, 60999];
/** The lowest port the platform listens on when given no range. */
const LOWEST_DEFAULT_PORT = 20000;

/** Whether 127.0.0.1:`port` can be listened on now. */
async function canListen(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The machine's ephemeral port range (`/proc/sys/net/ipv4/ip_local_port_range`), Linux's default when unreadable. */
export function ephemeralPorts(
  read: () => string = () => fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'),
): [number, number] {
  try {
    const [low, high] = read().trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low! > 0 && high! >= low!) return [low!, high!];
  } catch {
    // not Linux, or no /proc: the default below
  }
  return LINUX_EPHEMERAL;
}

/**
 * Where the platform listens: the range given, or else the ports between 20000 and the ephemeral range.
 * A port in the ephemeral range can be found free, handed to a server, and taken before the server
 * starts by the local end of any outgoing connection (a client of the broker, of PostgreSQL); the
 * server then fails with EADDRINUSE at every restart for as long as that connection lives. Null: no room
 * below the ephemeral range, any free port. `overlap` says when a given range reaches into it.
 */
export function listeningRange(
  given: [number, number] | null,
  ephemeral: [number, number],
): { range: [number, number] | null; overlap: boolean } {
  if (given) return { range: given, overlap: given[0] <= ephemeral[1] && given[1] >= ephemeral[0] };
  const last = ephemeral[0] - 1;
  if (last - LOWEST_DEFAULT_PORT < 1000) return { range: null, overlap: true };
  return { range: [LOWEST_DEFAULT_PORT, last], overlap: false };
}

/**
 * The platform's port allocator: the free ports of its range (`listeningRange`) in turn, from a random
 * start so that runs side by side rarely reach for the same port. Never the same port twice.
 */
export function platformPorts(
  given: [number, number] | null,
  options: { warn?: (line: string) => void; ephemeral?: [number, number]; random?: () => number } = {},
): () => Promise<number> {
  const ephemeral = options.ephemeral ?? ephemeralPorts();
  const { range, overlap } = listeningRange(given, ephemeral);
  if (overlap)
    options.warn?.(
      `listening ports ${range ? `${range[0]}-${range[1]}` : '(any free port)'} overlap the ephemeral ports ${ephemeral[0]}-${ephemeral[1]}: an outgoing connection may take a server's port before it starts`,
    );
  if (!range) return portAllocator();
  const [first, last] = range;
  let next = given ? first : first + Math.floor((options.random ?? Math.random)() * (last - first + 1));
  return portAllocator(async () => {
    for (let tried = 0; tried <= last - first; tried += 1) {
      const port = next;
      next = next >= last ? first : next + 1;
      if (await canListen(port)) return port;
    }
    throw new Error(`no free port left in ${first}-${last}`);
  });
}

/**
 * A port of 127.0.0.1 a server may listen on: free now, below the kernel's ephemeral range (where an
 * outgoing connection could take it before the server binds it; any free port when there is no room
 * below), picked at random so that processes side by side rarely reach for the same one.
 */
export async function probeListeningPort(
  options: { ephemeral?: [number, number]; random?: () => number } = {},
): Promise<number> {
  const { range } = listeningRange(null, options.ephemeral ?? ephemeralPorts());
  if (!range) return probeFreePort();
  const [first, last] = range;
  const random = options.random ?? Math.random;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = first + Math.floor(random() * (last - first + 1));
    if (await canListen(port)) return port;
  }
  return probeFreePort();
}

/** A free port of 127.0.0.1 below the ephemeral range, never one this process was handed before. */
export const freePort = portAllocator(probeListeningPort);
