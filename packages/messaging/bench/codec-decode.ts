/**
 * CPU per decoded event: the codec (catalog reader type and writer→reader resolver cached per schema
 * id) against the schema-registry client's own `decode` with a `readerSchema`, which parses the reader
 * schema and compares it with the writer's on every message — the codec's previous implementation.
 * Same messages, same process, same run; warm-up, then alternating repetitions.
 *
 *   SCHEMA_REGISTRY_URL=http://127.0.0.1:18090/apis/ccompat/v7 npx tsx bench/codec-decode.ts [messages] [repetitions]
 */
import { randomUUID } from 'node:crypto';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { eventCatalog, topicOf, type EventMap } from '@fv/contracts';
import { EventCodec } from '../src/event-codec.js';
import { orderCreated } from '../test/fixtures.js';

const registryUrl = process.env.SCHEMA_REGISTRY_URL;
if (!registryUrl) throw new Error('set SCHEMA_REGISTRY_URL to the registry this measurement may use');
const messages = Number(process.argv[2] ?? 5000);
const repetitions = Number(process.argv[3] ?? 5);
const topic = topicOf('OrderCreated');

const codec = new EventCodec(registryUrl);
const values: Buffer[] = [];
for (let i = 0; i < messages; i += 1) {
  const orderId = randomUUID();
  const event: EventMap['OrderCreated'] = {
    ...orderCreated(orderId),
    eventId: randomUUID(),
    occurredAt: Date.now(),
    correlationId: orderId,
    causationId: null,
    producer: 'bench',
  };
  values.push(await codec.encode('OrderCreated', event));
}

const variants: Record<string, (value: Buffer) => Promise<unknown>> = {
  'registry client decode (readerSchema per message)': (value) =>
    codec.registry.decode(value, {
      [SchemaType.AVRO]: { readerSchema: eventCatalog.OrderCreated.schema as never },
    }),
  'codec decode (cached reader and resolver)': (value) => codec.decode(topic, value),
};

async function measure(decode: (value: Buffer) => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  for (const value of values) await decode(value);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / messages; // µs of CPU per message
}

for (const decode of Object.values(variants)) await measure(decode); // warm-up
const results = new Map<string, number[]>(Object.keys(variants).map((name) => [name, []]));
for (let r = 0; r < repetitions; r += 1) {
  for (const [name, decode] of Object.entries(variants)) results.get(name)!.push(await measure(decode));
}

console.log(`${messages} OrderCreated messages × ${repetitions} repetitions, CPU µs per message`);
console.log('variant'.padEnd(52), 'median'.padStart(8), 'min'.padStart(8), 'max'.padStart(8));
for (const [name, samples] of results) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(
    name.padEnd(52),
    median.toFixed(1).padStart(8),
    sorted[0]!.toFixed(1).padStart(8),
    sorted.at(-1)!.toFixed(1).padStart(8),
  );
}
