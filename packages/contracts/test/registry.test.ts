/*
 * Against the real schema registry at SCHEMA_REGISTRY_URL (default: the local stack's).
 * Throwaway subjects get a random name and are deleted afterwards; the event subjects are
 * registered for real, which is idempotent.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_SHIPPING_ADDRESS, exampleOrderCreated } from '../src/fixtures.js';
import {
  avroTypeOf,
  checkSchemasAgainstRegistry,
  eventCatalog,
  eventNames,
  registerAllSchemas,
  registerSchemas,
  SchemaRegistrationError,
  SchemaRegistryClient,
  SchemaRegistryError,
  subjectOf,
  type OrderCreated,
} from '../src/index.js';

const registryUrl = process.env['SCHEMA_REGISTRY_URL'] || 'http://127.0.0.1:8090/apis/ccompat/v7';
const client = new SchemaRegistryClient({ url: registryUrl });
const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

const throwaway: string[] = [];
function throwawaySubject(): string {
  const subject = `contracts-test-${randomUUID()}-value`;
  throwaway.push(subject);
  return subject;
}

afterAll(async () => {
  for (const subject of throwaway) {
    try {
      await client.deleteSubject(subject, { permanent: true });
    } catch (error) {
      if (!(error instanceof SchemaRegistryError && error.status === 404)) throw error;
    }
  }
});

let registration: Promise<Record<string, number>> | undefined;
/** Registers every event schema once per run, whichever test asks first. */
function registeredIds(): Promise<Record<string, number>> {
  registration ??= registerAllSchemas({ registryUrl });
  return registration;
}

const order: OrderCreated = {
  eventId: randomUUID(),
  occurredAt: Date.now(),
  correlationId: 'ord-550e8400-e29b-41d4-a716-446655440000',
  causationId: null,
  producer: 'orders',
  ...exampleOrderCreated(),
  items: [
    {
      productId: '550e8400-e29b-41d4-a716-446655440000',
      sku: 'LAPTOP-15',
      quantity: 2,
      unitPrice: '599.99',
      warehouseId: 'wh-001',
    },
    {
      productId: '660e8400-e29b-41d4-a716-446655440000',
      sku: null,
      quantity: 1,
      unitPrice: '299.99',
      warehouseId: null,
    },
  ],
  totalAmount: '1499.97',
  shippingAddress: { ...EXAMPLE_SHIPPING_ADDRESS, phone: '+1234567890' },
  options: { priority: 'NORMAL', requireSignature: true, giftWrap: false, expressProcessing: false },
  metadata: { source: 'web_checkout', campaignId: 'winter-sale-2024' },
};

const orderCreatedSchema = eventCatalog.OrderCreated.schema;
/** OrderCreated with a new field that has no default: data written before it cannot be read. */
const withRequiredField = {
  ...orderCreatedSchema,
  fields: [...orderCreatedSchema.fields, { name: 'giftMessage', type: 'string', doc: 'A gift message.' }],
};
/** OrderCreated with a new optional field: compatible. */
const withOptionalField = {
  ...orderCreatedSchema,
  fields: [
    ...orderCreatedSchema.fields,
    { name: 'giftMessage', type: ['null', 'string'], default: null, doc: 'A gift message.' },
  ],
};

describe('registering the event schemas', () => {
  it('registers every event under <topic>-value with BACKWARD compatibility, and again with the same ids', async () => {
    const first = await registeredIds();
    const second = await registerAllSchemas({ registryUrl });
    expect(Object.keys(first)).toEqual(eventNames.map((name) => subjectOf(name)));
    expect(second).toEqual(first);
    for (const name of eventNames) {
      const subject = subjectOf(name);
      expect(Number.isInteger(first[subject]) && first[subject]! > 0, subject).toBe(true);
      expect(await client.compatibility(subject), subject).toBe('BACKWARD');
      const latest = await client.latestVersion(subject);
      expect(latest?.id, subject).toBe(first[subject]);
      expect(JSON.parse(latest!.schema), subject).toEqual(eventCatalog[name].schema);
    }
  });

  it('registers only the events asked for', async () => {
    const ids = await registerAllSchemas({ registryUrl, events: ['PaymentFailed', 'OrderCreated'] });
    const all = await registeredIds();
    expect(ids).toEqual({
      'payment-failed-events-value': all['payment-failed-events-value'],
      'order-created-events-value': all['order-created-events-value'],
    });
  });
});

describe('encoding with @kafkajs/confluent-schema-registry', () => {
  it('encodes an event in the Confluent wire format and decodes it back', async () => {
    const id = (await registeredIds())[subjectOf('OrderCreated')]!;
    const encoded = await new SchemaRegistry({ host: registryUrl }).encode(id, order);
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);
    expect(encoded.subarray(5).equals(avroTypeOf('OrderCreated').toBuffer(order))).toBe(true);
    // A fresh client has no cache: it fetches the writer schema by id from the registry.
    const decoded: unknown = await new SchemaRegistry({ host: registryUrl }).decode(encoded);
    expect(decoded).toEqual(order);
    expect(typeof (decoded as OrderCreated).occurredAt).toBe('number');
  });

  it('registers an already registered schema under the same id', async () => {
    const ids = await registeredIds();
    const subject = subjectOf('OrderCreated');
    const registry = new SchemaRegistry({ host: registryUrl });
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(orderCreatedSchema) },
      { subject },
    );
    expect(id).toBe(ids[subject]);
  });

  it('sets BACKWARD itself when it registers a brand-new subject', async () => {
    const subject = throwawaySubject();
    const registry = new SchemaRegistry({ host: registryUrl });
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(orderCreatedSchema) },
      { subject },
    );
    expect(id).toBeGreaterThan(0);
    expect(await client.compatibility(subject)).toBe('BACKWARD');
  });
});

describe('an incompatible schema change', () => {
  it('is refused by the registry with HTTP 409, through every client', async () => {
    const subject = throwawaySubject();
    const ids = await registerSchemas(client, [{ subject, schema: orderCreatedSchema }]);
    expect(await client.compatibility(subject)).toBe('BACKWARD');

    const refusal = await client.register(subject, withRequiredField).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(SchemaRegistryError);
    expect((refusal as SchemaRegistryError).status).toBe(409);

    const failure = await registerSchemas(client, [
      { subject, schema: withRequiredField, source: 'order-created.avsc' },
    ]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SchemaRegistrationError);
    const [refused] = (failure as SchemaRegistrationError).failures;
    expect(refused).toMatchObject({ subject, source: 'order-created.avsc', status: 409 });
    expect((failure as Error).message).toContain(`${subject} (order-created.avsc): HTTP 409`);

    const libraryRefusal = await new SchemaRegistry({ host: registryUrl })
      .register({ type: SchemaType.AVRO, schema: JSON.stringify(withRequiredField) }, { subject })
      .then(
        () => undefined,
        (error: unknown) => error as { status?: number },
      );
    expect(libraryRefusal?.status).toBe(409);

    const versions = await client.latestVersion(subject);
    expect(versions).toMatchObject({ version: 1, id: ids[subject] });
  });

  it('is reported by the compatibility check, naming the field', async () => {
    const subject = throwawaySubject();
    await registerSchemas(client, [{ subject, schema: orderCreatedSchema }]);
    const neverRegistered = `contracts-test-${randomUUID()}-value`;
    const results = await checkSchemasAgainstRegistry(client, [
      { subject, schema: withRequiredField, source: 'schemas/order/order-created.avsc' },
      { subject: neverRegistered, schema: withRequiredField },
    ]);
    expect(results[0]).toMatchObject({
      subject,
      status: 'incompatible',
      source: 'schemas/order/order-created.avsc',
    });
    expect(results[0]!.issues.map((i) => i.path)).toEqual(['giftMessage']);
    expect(results[1]).toMatchObject({ subject: neverRegistered, status: 'unregistered' });
  });

  it('is accepted once the new field has a default, as a new version', async () => {
    const subject = throwawaySubject();
    const before = await registerSchemas(client, [{ subject, schema: orderCreatedSchema }]);
    expect((await client.testCompatibility(subject, withOptionalField)).compatible).toBe(true);
    const after = await registerSchemas(client, [{ subject, schema: withOptionalField }]);
    expect(after[subject]).not.toBe(before[subject]);
    expect(await client.latestVersion(subject)).toMatchObject({ version: 2, id: after[subject] });
  });
});

describe('the command-line scripts', () => {
  const tsx = (script: string, env: Record<string, string> = {}) =>
    run(process.execPath, ['--import', 'tsx', script], {
      cwd: packageDirectory,
      env: { ...process.env, SCHEMA_REGISTRY_URL: registryUrl, ...env },
    });

  it('register prints every subject with its id', async () => {
    const ids = await registeredIds();
    const { stdout } = await tsx('scripts/register.ts');
    for (const [subject, id] of Object.entries(ids))
      expect(stdout).toMatch(new RegExp(`${subject} +id ${id}\\n`));
  }, 30_000);

  it('check-compat passes once the working tree is registered', async () => {
    await registeredIds();
    const { stdout } = await tsx('scripts/check-compat.ts');
    expect(stdout).toContain(`${eventNames.length} compatible, 0 incompatible, 0 not registered yet`);
  }, 30_000);

  it('register exits non-zero, naming the subjects, when the registry cannot be reached', async () => {
    const failure = await tsx('scripts/register.ts', {
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9/apis/ccompat/v7',
    }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(
      `Could not register ${eventNames.length} of ${eventNames.length} schemas`,
    );
    expect(failure?.stderr).toContain(
      'order-created-events-value (schemas/order/order-created.avsc): no response',
    );
  }, 30_000);
});
