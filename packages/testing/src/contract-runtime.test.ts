import net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  CLOSED_KAFKA_BROKERS,
  contractRuntime,
  type ContractRuntimeOptions,
  type RuntimeUnderContract,
} from './contract-runtime.js';

interface FakeRuntime extends RuntimeUnderContract {
  env: Record<string, string>;
  stopped: number;
  transactions: { timeout?: number }[];
}

/** A runtime as the helper sees one: it records its environment, its transactions and its stops. */
function fakeRuntime(env: Record<string, string>): FakeRuntime {
  const runtime: FakeRuntime = {
    env,
    stopped: 0,
    transactions: [],
    context: {
      database: { ready: Promise.resolve() },
      prisma: {
        $transaction: async <T>(fn: (tx: unknown) => Promise<T>, options: { timeout?: number } = {}) => {
          runtime.transactions.push(options);
          return fn({ tx: true });
        },
      },
      logger: { child: () => ({}) },
    },
    stop: async () => {
      runtime.stopped += 1;
    },
  };
  return runtime;
}

const handlers = { OrderCreated: async () => undefined, OrderCancelled: async () => undefined };
const options = (overrides: Partial<ContractRuntimeOptions<FakeRuntime>> = {}) => ({
  service: 'fake',
  create: async (env: Record<string, string>) => fakeRuntime(env),
  consumers: () => [{ handlers, retry: { delaysMs: [1, 2] } }],
  ...overrides,
});

describe('contractRuntime', () => {
  it('creates the runtime on a fresh database, away from any broker, with the service settings on top', async () => {
    const contract = await contractRuntime(options({ env: { LIVE_CONFIG: 'true', EXTRA: 'x' } }));
    const { env } = contract.runtime;
    expect(env).toMatchObject({
      SERVICE_NAME: 'fake',
      KAFKA_BROKERS: CLOSED_KAFKA_BROKERS,
      SERVICE_REGISTRATION: 'false',
      LIVE_CONFIG: 'true',
      EXTRA: 'x',
      JWT_SECRET: contract.secret,
    });
    expect(env.DATABASE_URL).toMatch(/^(postgresql:\/\/|pglite:memory)/);
    await contract.close();
    expect(contract.runtime.stopped).toBe(1);
  });

  it('answers each consumed event with its consumer, whose transactions run on the runtime', async () => {
    const contract = await contractRuntime(options());
    expect([...contract.consumers.keys()].sort()).toEqual(['OrderCancelled', 'OrderCreated']);
    const consumer = contract.consumers.get('OrderCreated')!;
    expect(consumer).toMatchObject({ service: 'fake', retries: 2 });
    expect(await consumer.transaction(async (tx) => tx)).toEqual({ tx: true });
    expect(contract.runtime.transactions).toEqual([{ timeout: 30_000 }]);
    await contract.close();
  });

  it('stops the runtime it created and passes the failure on when the set-up fails', async () => {
    let created: FakeRuntime | undefined;
    const failing = options({
      create: async (env) => (created = fakeRuntime(env)),
      consumers: () => {
        throw new Error('no consumers');
      },
    });
    await expect(contractRuntime(failing)).rejects.toThrow('no consumers');
    expect(created?.stopped).toBe(1);
  });

  it('names a broker address where nothing listens', async () => {
    const [host, port] = CLOSED_KAFKA_BROKERS.split(':');
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(port), host!);
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});
