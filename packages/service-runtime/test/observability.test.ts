import { randomUUID } from 'node:crypto';
import { topicOf } from '@fv/contracts';
import { NonRetriableError } from '@fv/messaging';
import { signToken } from '@fv/service-kit';
import { startTelemetry } from '@fv/service-kit/telemetry';
import { createTestDatabase, runtimeTestEnv, uniqueName, waitFor, type TestDatabase } from '@fv/testing';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceRuntime, type ServiceDefinition, type ServiceRuntime } from '../src/index.js';
import type { PrismaClient } from '../src/generated/test-prisma/client.js';
import { demoService } from './demo-service.js';

const secret = 'runtime-test-secret-0123456789';
const admin = `Bearer ${signToken(secret, { sub: 'tester', roles: ['admin'], expiresIn: 600 })}`;
const topic = topicOf('ProductCreated');
let database: TestDatabase | undefined;
let runtime: ServiceRuntime<PrismaClient> | undefined;

// A database per test: a new consumer group reads the topic from the beginning, and events of an
// earlier test must find their products unseen.
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
  await database?.dispose();
  database = undefined;
});

function env(database: TestDatabase): Record<string, string> {
  if (database.target.kind !== 'postgres') throw new Error('this suite needs the local PostgreSQL server');
  return runtimeTestEnv({ service: 'observability-demo', database, jwtSecret: secret });
}

/** The demo service whose consumer fails twice on `<run>-flaky` products and for good on `<run>-poison` ones. */
function flakyService(run: string): ServiceDefinition<PrismaClient> {
  // Failing twice: in a group of messages (then applied again one by one) or alone, whichever way the
  // fetches cut the burst. Three retries: the event is applied on its third attempt alone at the latest,
  // never dead-lettered.
  const failures = new Map<string, number>();
  return {
    ...demoService,
    consumers: () => [
      {
        retry: { delaysMs: [50, 50, 50] },
        handlers: {
          ProductCreated: async (event, context) => {
            if (event.sku.startsWith(`${run}-poison`))
              throw new NonRetriableError('this product is poison', 'POISON');
            const failed = failures.get(event.eventId) ?? 0;
            if (event.sku.startsWith(`${run}-flaky`) && failed < 2) {
              failures.set(event.eventId, failed + 1);
              throw new Error('a passing failure');
            }
            await context.tx.$executeRawUnsafe(
              'insert into products_seen (product_id, event_id) values ($1::uuid, $2::uuid)',
              event.productId,
              event.eventId,
            );
          },
        },
      },
    ],
  };
}

async function startRuntime(definition: ServiceDefinition<PrismaClient>) {
  database = await createTestDatabase({ name: 'observability' });
  runtime = await createServiceRuntime(definition, { env: env(database) });
  await runtime.start();
  const { app } = runtime;
  await waitFor(async () => (await app.inject({ url: '/health/ready' })).statusCode === 200, {
    description: 'readiness',
    timeoutMs: 60_000,
  });
  return runtime;
}

async function createProduct(app: ServiceRuntime<PrismaClient>['app'], sku: string, headers = {}) {
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/products',
    headers: { authorization: admin, 'x-idempotency-key': randomUUID(), ...headers },
    payload: { sku, name: 'Lamp' },
  });
  expect(created.statusCode).toBe(201);
  return (created.json() as { id: string }).id;
}

/** The value of the first sample of `name` whose labels contain every given label. */
function sample(metrics: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

describe('the messaging layer on /metrics', () => {
  it('counts a burst of events through the relay and the consumer, with retries, dead letters and lag', async () => {
    const run = uniqueName('burst');
    const { app } = await startRuntime(flakyService(run));
    const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => createProduct(app, `${run}-ok-${i}`)));
    ids.push(await createProduct(app, `${run}-flaky`));
    await createProduct(app, `${run}-poison`);

    await waitFor(
      async () => {
        const metrics = (await app.inject({ url: '/metrics' })).body;
        return (sample(metrics, 'messaging_dead_letters_total', { topic }) ?? 0) >= 1;
      },
      { description: 'the poison event to be dead-lettered', timeoutMs: 60_000 },
    );
    const seen = async (id: string) =>
      (await app.inject({ url: `/api/v1/products/${id}/seen`, headers: { authorization: admin } })).json()
        .seen as boolean;
    await waitFor(async () => (await Promise.all(ids.map(seen))).every(Boolean), {
      description: 'every product but the poison one to be seen by the consumer',
      timeoutMs: 60_000,
    });
    // The relay marks rows published once Kafka acknowledged them: the outbox drains.
    const metrics = await waitFor(
      async () => {
        const text = (await app.inject({ url: '/metrics' })).body;
        return sample(text, 'outbox_pending_events') === 0 && text;
      },
      { description: 'the outbox to drain', timeoutMs: 10_000 },
    );
    expect(sample(metrics, 'outbox_oldest_pending_age_seconds')).toBe(0);
    expect(sample(metrics, 'outbox_relay_sent_total', { topic })).toBeGreaterThanOrEqual(32);
    expect(sample(metrics, 'outbox_relay_errors_total') ?? 0).toBe(0);
    expect(
      sample(metrics, 'messaging_handler_duration_seconds_count', { event: 'ProductCreated' }),
    ).toBeGreaterThanOrEqual(31);
    expect(sample(metrics, 'messaging_consumer_retries_total', { topic })).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(
      new RegExp(
        `^messaging_consumer_lag\\{[^}]*topic="${topic.replace('.', '\\.')}"[^}]*partition="\\d+"[^}]*\\} \\d+`,
        'm',
      ),
    );
    const ready = (await app.inject({ url: '/health' })).json() as {
      details: Record<string, { status: string }>;
    };
    expect(ready.details.consumers?.status).toBe('UP');
  });
});

describe('tracing', () => {
  it('puts a request, its outbox event, the relay send and the consumer in one trace with correct parents', async () => {
    const exporter = new InMemorySpanExporter();
    const telemetry = startTelemetry({ serviceName: 'observability-demo', serviceVersion: 'test', exporter });
    try {
      const { app } = await startRuntime(demoService);
      const traceId = randomUUID().replaceAll('-', '');
      const id = await createProduct(app, uniqueName('traced'), {
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      });
      await waitFor(
        async () =>
          (await app.inject({ url: `/api/v1/products/${id}/seen`, headers: { authorization: admin } })).json()
            .seen,
        { description: 'the traced event to be consumed', timeoutMs: 30_000 },
      );
      const trace = () =>
        exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
      await waitFor(async () => trace().some((span) => span.name === `handle ProductCreated`), {
        description: 'the handler span',
      });
      const spans = trace();
      const one = (name: string, kind?: SpanKind) => {
        const found = spans.filter(
          (span) => span.name === name && (kind === undefined || span.kind === kind),
        );
        expect(found, name).toHaveLength(1);
        return found[0]!;
      };
      const parentOf = (span: ReadableSpan) =>
        spans.find((candidate) => candidate.spanContext().spanId === span.parentSpanContext?.spanId);

      const server = one('POST /api/v1/products', SpanKind.SERVER);
      expect(server.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
      const publish = one(`publish ${topic}`, SpanKind.PRODUCER);
      const send = one(`send ${topic}`, SpanKind.PRODUCER);
      const processed = one(`process ${topic}`, SpanKind.CONSUMER);
      const handled = one('handle ProductCreated');
      // publish sits in the request's transaction, inside the request's span
      expect(parentOf(publish)?.name).toBe('db.transaction');
      expect(parentOf(parentOf(publish)!)).toBe(server);
      expect(parentOf(send)).toBe(publish);
      expect(parentOf(processed)).toBe(send);
      expect(parentOf(handled)?.name).toBe('db.transaction');
      expect(parentOf(parentOf(handled)!)).toBe(processed);
    } finally {
      await runtime?.stop();
      runtime = undefined;
      await telemetry.shutdown();
    }
  });
});
