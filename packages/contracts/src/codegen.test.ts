import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEventCatalog, renderEventTypes, renderTopicTable, replaceTopicTable } from './codegen.js';
import {
  envelopeFields,
  lintEventSchema,
  loadEventDefinitions,
  type EventDefinition,
} from './schema-files.js';

const envelope = envelopeFields.map((field) => ({ ...field, doc: `The ${field.name}.` }));

function definition(domain: string, name: string, fileName: string, payload: unknown[]): EventDefinition {
  const file = `schemas/${domain}/${fileName}.avsc`;
  const schema = {
    type: 'record',
    name,
    namespace: `com.firstviscount.events.${domain}`,
    doc: `${name} happened.`,
    fields: [...envelope, ...payload],
  };
  const result = lintEventSchema(file, JSON.stringify(schema));
  if (!result.definition) throw new Error(result.problems.join('\n'));
  return result.definition;
}

const line = (doc: string, fields: unknown[]) => ({ type: 'record', name: 'Line', doc, fields });

const parcelShipped = definition('delivery', 'ParcelShipped', 'parcel-shipped', [
  { name: 'parcelId', type: 'string', doc: 'Parcel id.' },
  { name: 'weightGrams', type: 'long', doc: 'Weight.' },
  { name: 'ratio', type: 'double', doc: 'A ratio.' },
  { name: 'fragile', type: 'boolean', doc: 'Handle with care.' },
  { name: 'label', type: 'bytes', doc: 'Label image.' },
  { name: 'note', type: ['null', 'string'], default: null, doc: 'A note.' },
  { name: 'tags', type: { type: 'array', items: 'string' }, doc: 'Tags.' },
  { name: 'maybeCodes', type: { type: 'array', items: ['null', 'int'] }, doc: 'Codes.' },
  { name: 'attributes', type: { type: 'map', values: 'string' }, default: {}, doc: 'Attributes.' },
  {
    name: 'speed',
    type: { type: 'enum', name: 'Speed', doc: 'How fast.', symbols: ['SLOW', 'FAST'] },
    doc: 'Speed.',
  },
  {
    name: 'deliveredAt',
    type: ['null', { type: 'long', logicalType: 'timestamp-millis' }],
    default: null,
    doc: 'When.',
  },
  {
    name: 'lines',
    type: { type: 'array', items: line('A parcel line.', [{ name: 'sku', type: 'string', doc: 'SKU.' }]) },
    doc: 'Lines.',
  },
  { name: 'firstLine', type: ['null', 'Line'], default: null, doc: 'The first line.' },
]);

const orderPlaced = definition('order', 'OrderPlaced', 'order-placed', [
  { name: 'orderId', type: 'string', doc: 'Order id.' },
  {
    name: 'lines',
    type: {
      type: 'array',
      items: line('An order line.', [
        { name: 'quantity', type: 'int', doc: 'Units.' },
        { name: 'unitPrice', type: { type: 'string', 'x-format': 'decimal' }, doc: 'Unit price.' },
      ]),
    },
    doc: 'Lines.',
  },
  { name: 'currency', type: 'string', doc: 'Currency.' },
]);

describe('renderEventTypes', () => {
  const source = renderEventTypes([parcelShipped, orderPlaced]);

  it('maps Avro types to TypeScript faithfully', () => {
    const body = source.slice(source.indexOf('export interface ParcelShipped {'));
    for (const line of [
      'parcelId: string;',
      'weightGrams: number;',
      'ratio: number;',
      'fragile: boolean;',
      'label: Buffer;',
      'note: string | null;',
      'tags: string[];',
      'maybeCodes: Array<number | null>;',
      'attributes: Record<string, string>;',
      'speed: Speed;',
      'deliveredAt: number | null;',
      'lines: DeliveryLine[];',
      'firstLine: DeliveryLine | null;',
    ]) {
      expect(body).toContain(`  ${line}`);
    }
  });

  it('writes the envelope fields first, with occurredAt as epoch milliseconds', () => {
    expect(source).toContain(
      [
        'export interface ParcelShipped {',
        '  /** The eventId. A UUID. */',
        '  eventId: string;',
        '  /** The occurredAt. Milliseconds since the Unix epoch. */',
        '  occurredAt: number;',
      ].join('\n'),
    );
    expect(source).toContain('export interface EventEnvelope {');
  });

  it('renders enums as string literal unions with their values', () => {
    expect(source).toContain("export type Speed = 'SLOW' | 'FAST';");
    expect(source).toContain("export const speedValues: readonly Speed[] = ['SLOW', 'FAST'];");
  });

  it('prefixes types that share a name with their domain', () => {
    expect(source).toContain('export interface DeliveryLine {');
    expect(source).toContain('export interface OrderLine {');
    expect(source).not.toContain('export interface Line {');
    expect(source).toContain('  lines: OrderLine[];');
  });

  it('documents money as a decimal string', () => {
    expect(source).toContain('  /** Unit price. Decimal string, e.g. "12.50". */\n  unitPrice: string;');
  });

  it('writes the event map, the name union and the payload type', () => {
    expect(source).toContain(
      'export interface EventMap {\n  OrderPlaced: OrderPlaced;\n  ParcelShipped: ParcelShipped;\n}',
    );
    expect(source).toContain('export type EventName = keyof EventMap;');
    expect(source).toContain(
      'export type EventPayload<N extends EventName> = Omit<EventMap[N], keyof EventEnvelope>;',
    );
  });

  it('is deterministic, whatever the input order', () => {
    expect(renderEventTypes([orderPlaced, parcelShipped])).toBe(source);
  });
});

describe('renderEventCatalog', () => {
  it('lists topic, subject, file and schema per event, sorted by name', () => {
    const source = renderEventCatalog([parcelShipped, orderPlaced]);
    expect(source.indexOf('  OrderPlaced: {')).toBeLessThan(source.indexOf('  ParcelShipped: {'));
    expect(source).toContain(
      [
        '  ParcelShipped: {',
        "    name: 'ParcelShipped',",
        "    domain: 'delivery',",
        "    topic: 'parcel-shipped-events',",
        "    subject: 'parcel-shipped-events-value',",
        "    file: 'schemas/delivery/parcel-shipped.avsc',",
      ].join('\n'),
    );
    expect(source).toContain(
      "export const eventNames: readonly EventName[] = [\n  'OrderPlaced',\n  'ParcelShipped',\n];",
    );
    expect(renderEventCatalog([orderPlaced, parcelShipped])).toBe(source);
  });
});

describe('src/generated/', () => {
  it('is up to date with schemas/ (run the generate script after changing a schema)', () => {
    const definitions = loadEventDefinitions();
    const generated = (file: string) => readFileSync(new URL(`./generated/${file}`, import.meta.url), 'utf8');
    expect(generated('events.ts')).toBe(renderEventTypes(definitions));
    expect(generated('catalog.ts')).toBe(renderEventCatalog(definitions));
  });
});

describe('README.md', () => {
  it('lists every event with its topic (run the docs script after adding an event)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = renderTopicTable(loadEventDefinitions());
    expect(replaceTopicTable(readme, table)).toBe(readme);
    expect(table).toContain(
      '| order | `OrderCreated` | `order-created-events` | [order/order-created.avsc](../../schemas/order/order-created.avsc) |',
    );
  });
});
