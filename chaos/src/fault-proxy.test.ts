import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultProxy } from './fault-proxy.js';

/** An echo server: what a client sends comes back. */
let upstream: net.Server;
let upstreamPort: number;
let proxy: FaultProxy;

beforeEach(async () => {
  upstream = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as net.AddressInfo).port;
  proxy = new FaultProxy({ host: '127.0.0.1', port: upstreamPort });
  await proxy.listen();
});

afterEach(async () => {
  await proxy.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function echo(socket: net.Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('data', (data) => resolve(data.toString()));
    socket.once('error', reject);
    socket.write(text);
  });
}

/** Resolves with how the socket ended: 'reset' (ECONNRESET), 'closed', or another error code. */
function ending(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let error: string | null = null;
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => resolve(error === 'ECONNRESET' ? 'reset' : (error ?? 'closed')));
  });
}

/** Connects and waits for the end: a refused connection is reset, at connect or just after. */
function refusedConnection(port: number): Promise<string> {
  return ending(net.connect(port, '127.0.0.1'));
}

describe('the fault proxy', () => {
  it('forwards bytes both ways', async () => {
    const client = await connect(proxy.port);
    expect(await echo(client, 'ping')).toBe('ping');
    expect(proxy.connections).toBe(1);
    client.destroy();
  });

  it('drops live connections on cut, refuses new ones while cut, and forwards again after restore', async () => {
    const live = await connect(proxy.port);
    expect(await echo(live, 'before')).toBe('before');
    const liveEnded = ending(live);

    expect(proxy.cut()).toBe(1);
    expect(await liveEnded).toBe('reset');
    expect(proxy.connections).toBe(0);

    expect(await refusedConnection(proxy.port)).toBe('reset');
    expect(proxy.stats.refused).toBe(1);
    expect(proxy.isCut).toBe(true);

    proxy.restore();
    const again = await connect(proxy.port);
    expect(await echo(again, 'after')).toBe('after');
    again.destroy();
    expect(proxy.stats).toMatchObject({ dropped: 1, refused: 1 });
  });

  it('closes a client whose upstream is gone', async () => {
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    upstream = net.createServer();
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const client = await connect(proxy.port);
    expect(['reset', 'closed']).toContain(await ending(client));
  });
});
