import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import { eventCatalog, topicOf } from '@fv/contracts';
import { uniqueName } from '@fv/testing';
import {
  EventCodec,
  SchemaIdNotYetKnownError,
  UndecodableMessageError,
  isInfrastructureError,
} from '../src/index.js';
import { orderCreatedEvent } from './fixtures.js';

const event = () => ({ ...orderCreatedEvent(), customerEmail: 'someone@example.com' });

const registryUrl = process.env.SCHEMA_REGISTRY_URL!;
const topic = topicOf('OrderCreated');

describe('the event codec', () => {
  it('round-trips an event written with the catalog schema, many times over', async () => {
    const codec = new EventCodec(registryUrl);
    const events = Array.from({ length: 50 }, event);
    for (const e of events) {
      const decoded = await codec.decode(topic, await codec.encode('OrderCreated', e));
      expect(decoded.name).toBe('OrderCreated');
      expect(decoded.event).toEqual(e);
    }
  });

  it("reads bytes written with an older writer schema into the catalog's schema, with its defaults", async () => {
    // A producer still on a version without `customerEmail` and `metadata` (both have defaults now).
    const catalog = eventCatalog.OrderCreated.schema as unknown as { fields: { name: string }[] };
    const older = {
      ...catalog,
      fields: catalog.fields.filter((f) => f.name !== 'customerEmail' && f.name !== 'metadata'),
    };
    const writerClient = new EventCodec(registryUrl).registry;
    const { id } = await writerClient.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(older) },
      { subject: `${uniqueName('codec-older')}-value` },
    );
    const { customerEmail: _email, metadata: _metadata, ...written } = event();
    const bytes = await writerClient.encode(id, written);

    const codec = new EventCodec(registryUrl);
    for (let i = 0; i < 3; i += 1) {
      const decoded = await codec.decode(topic, bytes);
      expect(decoded.event).toEqual({ ...written, customerEmail: null, metadata: {} });
    }
    // The catalog's own schema is still read as written by the same codec.
    const current = event();
    expect((await codec.decode(topic, await codec.encode('OrderCreated', current))).event).toEqual(current);
  });

  it('holds a schema id the registry does not know as its outage for the grace, then refuses it as undecodable', async () => {
    let now = 1_000_000;
    const codec = new EventCodec(registryUrl, { unknownSchemaIdGraceMs: 30_000, now: () => now });
    const bytes = Buffer.concat([Buffer.from([0]), Buffer.alloc(4), Buffer.from('abc')]);
    bytes.writeUInt32BE(987_654_321, 1);
    const first = await codec.decode(topic, bytes).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(SchemaIdNotYetKnownError);
    expect(isInfrastructureError(first)).toBe(true);
    now += 29_999;
    await expect(codec.decode(topic, bytes)).rejects.toBeInstanceOf(SchemaIdNotYetKnownError);
    now += 1;
    const late = await codec.decode(topic, bytes).catch((error: unknown) => error);
    expect(late).toBeInstanceOf(UndecodableMessageError);
    expect(isInfrastructureError(late)).toBe(false);
    expect((late as Error).message).toBe('unknown schema id 987654321');
    // Remembered: the next message naming it is not waited for again.
    await expect(codec.decode(topic, bytes)).rejects.toBeInstanceOf(UndecodableMessageError);
    // With no grace, the first "not found" is final.
    const strict = new EventCodec(registryUrl, { unknownSchemaIdGraceMs: 0 });
    await expect(strict.decode(topic, bytes)).rejects.toBeInstanceOf(UndecodableMessageError);
  });
});
