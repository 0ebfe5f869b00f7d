import { dlqTopicOf, topicOf, type EventName } from '@fv/contracts';
import type { Kafka } from 'kafkajs';
import { startGroupAtEnd } from './consumer-offsets.js';
import { EventCollector, type CollectedMessage } from './event-collector.js';
import { ServiceEventsHarness, type EventCodecLike } from './service-events.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { uniqueName } from './unique.js';
import { waitFor } from './wait-for.js';

/** What a harness uses of a service runtime (`ServiceRuntime` of @fv/service-runtime). */
export interface HarnessRuntime {
  app: { inject(options: { url: string }): PromiseLike<{ statusCode: number }> };
  /** The service's context: its generated Prisma client among the rest. */
  context: { prisma: unknown };
  consumers: readonly { joined: boolean }[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The broker client and the codec the harness publishes and reads with (`createKafka`, `EventCodec`). */
export interface HarnessConnections {
  kafka: Kafka;
  codec: EventCodecLike;
}

export interface ServiceHarnessOptions<R extends HarnessRuntime> {
  /** The service's name (its database's, and the prefix of its unique SERVICE_NAME and consumer group). */
  service: string;
  /** The events the service publishes, collected in `events`. */
  produced: readonly EventName[];
  /** Connects to the broker and registry of the environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL). */
  connect(options: { clientId: string; brokers: string; registryUrl: string }): HarnessConnections;
  /** Creates the runtime from its environment, e.g. `(env) => createServiceRuntime(definition, { env })`. */
  create(env: Record<string, string>): Promise<R>;
  /** Settings of the service's own (they override the defaults). */
  env?: Record<string, string>;
  /**
   * Where the service keeps its data: a database of its own on the local PostgreSQL server (the
   * default), or the embedded PGlite in the service's process (`DATABASE_URL=pglite:memory`).
   */
  database?: 'postgres' | 'embedded';
  /**
   * The consumer groups the service runs besides SERVICE_NAME's, named SERVICE_NAME + suffix (e.g.
   * `-price-list`); they too start at the end of the consumed topics.
   */
  consumerGroupSuffixes?: readonly string[];
}

/**
 * One service on the test stack, as its integration tests run it: its own database, consumer groups of
 * its own that start at the end of the consumed topics (which hold every earlier run's events), a
 * producer that publishes what other services would, and collectors of what the service publishes and
 * dead-letters. A service's harness extends it and starts it with `startService`.
 */
export abstract class ServiceHarness<R extends HarnessRuntime> extends ServiceEventsHarness {
  runtime!: R;
  /** The service's database on the PostgreSQL server (null when it runs on the embedded one). */
  database: TestDatabase | null = null;
  /** Collects the dead letters of the consumed events. */
  deadLetters!: EventCollector;
  /** SERVICE_NAME of the runtime, and so its consumer group. */
  serviceName!: string;
  /** The environment the runtime was created from (and a restarted one is). */
  runtimeEnv!: Readonly<Record<string, string>>;
  private create!: (env: Record<string, string>) => Promise<R>;
  private service!: string;

  /** The service's fastify app, for requests with `inject`. */
  get app(): R['app'] {
    return this.runtime.app;
  }

  /** The service's Prisma client, on its database. */
  get prisma(): R['context']['prisma'] {
    return this.runtime.context.prisma;
  }

  protected async startService(options: ServiceHarnessOptions<R>): Promise<this> {
    const { service } = options;
    this.service = service;
    this.create = options.create;
    let databaseUrl = 'pglite:memory';
    if ((options.database ?? 'postgres') === 'postgres') {
      this.database = await createTestDatabase({ name: service });
      if (this.database.target.kind !== 'postgres')
        throw new Error(`the ${service} integration tests need PostgreSQL`);
      databaseUrl = this.database.target.url;
    }
    this.serviceName = uniqueName(service);
    const brokers = process.env.KAFKA_BROKERS!;
    const registryUrl = process.env.SCHEMA_REGISTRY_URL!;
    ({ kafka: this.kafka, codec: this.codec } = options.connect({
      clientId: uniqueName(`${service}-test`),
      brokers,
      registryUrl,
    }));
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
    const consumedTopics = this.consumedEvents.map((name) => topicOf(name));
    const groups = [
      this.serviceName,
      ...(options.consumerGroupSuffixes ?? []).map((s) => this.serviceName + s),
    ];
    await Promise.all(groups.map((group) => startGroupAtEnd(this.kafka, group, consumedTopics)));
    this.events = new EventCollector(
      this.kafka,
      options.produced.map((name) => topicOf(name)),
    );
    this.deadLetters = new EventCollector(
      this.kafka,
      consumedTopics.map((topic) => dlqTopicOf(topic)),
    );
    const collecting = Promise.all([this.events.start(), this.deadLetters.start()]);
    this.runtimeEnv = {
      SERVICE_NAME: this.serviceName,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers,
      SCHEMA_REGISTRY_URL: registryUrl,
      SERVICE_REGISTRATION: 'false',
      LIVE_CONFIG: 'false',
      EVENT_RETRY_DELAYS_MS: '50,100',
      ...options.env,
    };
    await this.startRuntime();
    await collecting;
    return this;
  }

  /**
   * Stops the runtime and starts another from the same environment: the same database and consumer
   * groups, none of the first one's process state.
   */
  async restart(): Promise<R> {
    await this.runtime.stop();
    await this.startRuntime();
    return this.runtime;
  }

  /** The dead letters read so far whose message key is `key`. */
  deadLettered(key: string): CollectedMessage[] {
    return this.deadLetters.messages.filter((message) => message.key === key);
  }

  async stop(): Promise<void> {
    await Promise.all([
      this.runtime?.stop(),
      this.events?.stop(),
      this.deadLetters?.stop(),
      this.producer?.disconnect(),
    ]);
    await this.database?.dispose();
  }

  protected consumerGroup(): string {
    return this.serviceName;
  }

  private async startRuntime(): Promise<void> {
    this.runtime = await this.create({ ...this.runtimeEnv });
    await this.runtime.start();
    await waitFor(async () => (await this.runtime.app.inject({ url: '/health/ready' })).statusCode === 200, {
      timeoutMs: 30_000,
      description: `${this.service} readiness`,
    });
    await waitFor(() => this.runtime.consumers.every((consumer) => consumer.joined), {
      timeoutMs: 60_000,
      description: `${this.service} consumers joining their groups`,
    });
  }
}
