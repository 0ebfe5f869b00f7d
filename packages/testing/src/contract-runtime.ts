import type { EventName } from '@fv/contracts';
import { consumersUnderTest, type ConsumerRegistration, type ConsumerUnderTest } from './event-samples.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/**
 * A broker and a registry address where nothing listens (port 1 is never a test server's). A contract
 * runtime is never started, so it must not reach a broker: should it try, it fails here instead of
 * talking to whatever runs on the developer's 9092.
 */
export const CLOSED_KAFKA_BROKERS = '127.0.0.1:1';
export const CLOSED_SCHEMA_REGISTRY_URL = 'http://127.0.0.1:1';

/** What a contract test uses of a service runtime (`ServiceRuntime` of @fv/service-runtime). */
export interface RuntimeUnderContract {
  context: {
    database: { ready: Promise<unknown> };
    /** A generated Prisma client (its `$transaction(fn, options)` is all this uses). */
    prisma: object;
    logger: ConsumerUnderTest['logger'];
  };
  stop(): Promise<void>;
}

/** A Prisma client's interactive transactions (its overloads do not fit a structural type). */
interface InteractiveTransactions {
  $transaction<T>(fn: (tx: unknown) => Promise<T>, options?: { timeout?: number }): Promise<T>;
}

export interface ContractRuntime<R extends RuntimeUnderContract> {
  /** The service's runtime, created but not started: no consumer runs, no broker is reached. */
  runtime: R;
  /** Every consumed event of the service, with the consumer that handles it, over the service's database. */
  consumers: Map<EventName, ConsumerUnderTest>;
  /** The JWT secret the runtime's routes verify tokens with. */
  secret: string;
  /** Stops the runtime and drops its database. */
  close(): Promise<void>;
}

export interface ContractRuntimeOptions<R extends RuntimeUnderContract> {
  /** The service's name (SERVICE_NAME, the database's name and failure messages). */
  service: string;
  /** Creates the runtime from its environment, e.g. `(env) => createServiceRuntime(definition, { env })`. */
  create(env: Record<string, string>): Promise<R>;
  /** The service's consumer registrations, e.g. `(runtime) => definition.consumers!(runtime.context)`. */
  consumers(runtime: R): readonly ConsumerRegistration[];
  /** Settings of the service's own (they override the defaults). */
  env?: Record<string, string>;
}

/**
 * A service's runtime for its event-contract tests: a fresh database, the runtime created on it (not
 * started, with no service registration or live configuration) and each of its consumers, whose
 * handlers the tests call as the event consumer does, in a real transaction, without a broker between.
 */
export async function contractRuntime<R extends RuntimeUnderContract>(
  options: ContractRuntimeOptions<R>,
): Promise<ContractRuntime<R>> {
  const secret = `${options.service}-contract-secret-0123456789`;
  const database: TestDatabase = await createTestDatabase({ name: `${options.service}-contract` });
  let runtime: R | undefined;
  const close = async () => {
    await runtime?.stop();
    await database.dispose();
  };
  try {
    runtime = await options.create({
      SERVICE_NAME: options.service,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
      NODE_ENV: 'test',
      JWT_SECRET: secret,
      DATABASE_URL: database.target.kind === 'postgres' ? database.target.url : 'pglite:memory',
      KAFKA_BROKERS: CLOSED_KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL: CLOSED_SCHEMA_REGISTRY_URL,
      SERVICE_REGISTRATION: 'false',
      LIVE_CONFIG: 'false',
      ...options.env,
    });
    await runtime.context.database.ready;
    const { logger } = runtime.context;
    const prisma = runtime.context.prisma as InteractiveTransactions;
    const consumers = consumersUnderTest(options.service, options.consumers(runtime), {
      transaction: (fn) => prisma.$transaction((tx) => fn(tx), { timeout: 30_000 }),
      logger,
    });
    return { runtime, consumers, secret, close };
  } catch (error) {
    await close();
    throw error;
  }
}
