import { topicOf, type EventMap, type EventName } from '@fv/contracts';
import { EventCodec, createKafka } from '@fv/messaging';
import { createLogger, signToken, type Role } from '@fv/service-kit';
import { createTestDatabase, EventCollector, uniqueName, waitFor, type TestDatabase } from '@fv/testing';
import { createCoordinationRuntime, type CoordinationRuntime } from '../src/runtime.js';
import type { CoordinationOptions } from '../src/service.js';

export const secret = 'coordination-test-secret-0123456789';

export function bearer(sub: string, roles: Role[]): string {
  return `Bearer ${signToken(secret, { sub, roles, expiresIn: 600 })}`;
}

export const admin = bearer('operator', ['admin']);
export const customer = bearer('customer-1', ['customer']);

/** The plain UUID of an id the API answers with a prefix (`wf-<uuid>` → `<uuid>`). */
export function plainId<T extends string | null>(id: T): T {
  return (id?.replace(/^[a-z]+-(?=[0-9a-f]{8}-)/, '') ?? null) as T;
}

/** Calls the coordination API (`/api/v1` + `url`) with a JSON body, as an operator unless `authorization` says otherwise. */
export function callApi(
  runtime: CoordinationRuntime,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  authorization = admin,
) {
  return runtime.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

export function env(database: TestDatabase, overrides: Record<string, string> = {}): Record<string, string> {
  if (database.target.kind !== 'postgres') throw new Error('these tests need the local PostgreSQL server');
  return {
    SERVICE_NAME: uniqueName('coordination'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
    NODE_ENV: 'test',
    JWT_SECRET: secret,
    DATABASE_URL: database.target.url,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
    SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL!,
    SERVICE_REGISTRATION: 'false',
    HEALTH_POLL_ENABLED: 'false',
    SAGA_OBSERVER_ENABLED: 'false',
    DLQ_LEDGER_ENABLED: 'false',
    ANALYTICS_ENABLED: 'false',
    REGISTRY_SWEEP_INTERVAL_MS: '600000',
    ...overrides,
  };
}

export async function startCoordination(
  database: TestDatabase,
  overrides: Record<string, string> = {},
  options: CoordinationOptions = {},
): Promise<CoordinationRuntime> {
  const runtime = await createCoordinationRuntime({ ...options, env: env(database, overrides) });
  await runtime.start();
  await runtime.context.database.ready;
  return runtime;
}

export async function testDatabase(name: string): Promise<TestDatabase> {
  return createTestDatabase({ name });
}

/** Collects the given events from the broker and decodes them. */
export class DecodedEvents {
  private readonly collector: EventCollector;
  private readonly codec = new EventCodec(process.env.SCHEMA_REGISTRY_URL!);
  private readonly decoded: { name: EventName; event: EventMap[EventName]; key: string | null }[] = [];
  private seen = 0;

  constructor(names: EventName[]) {
    const kafka = createKafka({
      clientId: uniqueName('test'),
      brokers: process.env.KAFKA_BROKERS!,
      logger: createLogger({ service: 'test', version: '0', level: 'fatal' }),
    });
    this.collector = new EventCollector(
      kafka,
      names.map((name) => topicOf(name)),
    );
  }

  async start(): Promise<this> {
    await this.collector.start();
    return this;
  }

  private async refresh(): Promise<void> {
    while (this.seen < this.collector.messages.length) {
      const message = this.collector.messages[this.seen++]!;
      const { name, event } = await this.codec.decode(message.topic, message.value);
      this.decoded.push({ name, event, key: message.key });
    }
  }

  /** Every decoded event of `name` that `predicate` accepts, so far. */
  async all<N extends EventName>(
    name: N,
    predicate: (event: EventMap[N]) => boolean = () => true,
  ): Promise<EventMap[N][]> {
    await this.refresh();
    return this.decoded
      .filter((entry) => entry.name === name && predicate(entry.event as EventMap[N]))
      .map((entry) => entry.event as EventMap[N]);
  }

  async waitFor<N extends EventName>(
    name: N,
    predicate: (event: EventMap[N]) => boolean,
    description: string,
  ): Promise<EventMap[N]> {
    return waitFor(async () => (await this.all(name, predicate))[0], { timeoutMs: 30_000, description });
  }

  stop(): Promise<void> {
    return this.collector.stop();
  }
}

/** Waits until the outbox has nothing left to publish, so "no event" assertions are meaningful. */
export async function outboxDrained(runtime: CoordinationRuntime): Promise<void> {
  await waitFor(async () => (await runtime.context.relay.pending()) === 0, {
    timeoutMs: 30_000,
    description: 'the outbox to drain',
  });
}
