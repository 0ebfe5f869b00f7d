import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkBackwardCompatibility, formatCompatibilityIssues } from './compatibility.js';
import { findSchemaFiles } from './schema-files.js';

type Field = { name: string; type: unknown; default?: unknown; aliases?: string[] };

const record = (fields: Field[], name = 'Sample') => ({
  type: 'record',
  name,
  namespace: 'com.firstviscount.events.test',
  fields,
});

const item = (fields: Field[]) => ({ type: 'record', name: 'Item', fields });

const base = record([
  { name: 'orderId', type: 'string' },
  { name: 'quantity', type: 'int' },
  { name: 'note', type: ['null', 'string'], default: null },
  { name: 'items', type: { type: 'array', items: item([{ name: 'productId', type: 'string' }]) } },
  { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['OPEN', 'CLOSED'] } },
]);

function withField(schema: ReturnType<typeof record>, replace: string, field: Field | undefined) {
  const fields = schema.fields.flatMap((f) => (f.name === replace ? (field ? [field] : []) : [f]));
  return { ...schema, fields };
}

function paths(previous: unknown, next: unknown): string[] {
  return checkBackwardCompatibility(previous, next).map((issue) => issue.path);
}

describe('checkBackwardCompatibility: incompatible changes name the field', () => {
  it('rejects a field added without a default', () => {
    const next = { ...base, fields: [...base.fields, { name: 'giftMessage', type: 'string' }] };
    const issues = checkBackwardCompatibility(base, next);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('giftMessage');
    expect(issues[0]!.message).toMatch(/field "giftMessage" was added without a default/);
  });

  it('rejects a field added without a default inside an array of records, with a dotted path', () => {
    const next = withField(base, 'items', {
      name: 'items',
      type: {
        type: 'array',
        items: item([
          { name: 'productId', type: 'string' },
          { name: 'warehouseId', type: 'string' },
        ]),
      },
    });
    expect(paths(base, next)).toEqual(['items[].warehouseId']);
  });

  it('rejects a nested record field added without a default, with a dotted path', () => {
    const address = (fields: Field[]) => ({ type: 'record', name: 'Address', fields });
    const previous = record([{ name: 'shippingAddress', type: address([{ name: 'city', type: 'string' }]) }]);
    const next = record([
      {
        name: 'shippingAddress',
        type: address([
          { name: 'city', type: 'string' },
          { name: 'zipCode', type: 'string' },
        ]),
      },
    ]);
    expect(paths(previous, next)).toEqual(['shippingAddress.zipCode']);
  });

  it.each([
    ['long', 'int'],
    ['double', 'float'],
    ['string', 'int'],
    ['int', 'string'],
    ['boolean', 'string'],
    ['double', 'long'],
  ])('rejects narrowing or unrelated type change %s → %s', (from, to) => {
    const previous = withField(base, 'quantity', { name: 'quantity', type: from });
    const next = withField(base, 'quantity', { name: 'quantity', type: to });
    const issues = checkBackwardCompatibility(previous, next);
    expect(issues.map((i) => i.path)).toEqual(['quantity']);
    expect(issues[0]!.message).toContain(`from ${from} to ${to}`);
  });

  it('rejects an enum symbol removed', () => {
    const next = withField(base, 'status', {
      name: 'status',
      type: { type: 'enum', name: 'Status', symbols: ['OPEN'] },
    });
    const issues = checkBackwardCompatibility(base, next);
    expect(issues.map((i) => i.path)).toEqual(['status']);
    expect(issues[0]!.message).toContain('"CLOSED"');
  });

  it('rejects making an optional field required', () => {
    const next = withField(base, 'note', { name: 'note', type: 'string' });
    const issues = checkBackwardCompatibility(base, next);
    expect(issues.map((i) => i.path)).toEqual(['note']);
    expect(issues[0]!.message).toContain('null');
  });

  it('rejects a changed map value type', () => {
    const previous = record([{ name: 'metadata', type: { type: 'map', values: 'string' }, default: {} }]);
    const next = record([{ name: 'metadata', type: { type: 'map', values: 'int' }, default: {} }]);
    expect(paths(previous, next)).toEqual(['metadata{}']);
  });

  it('rejects a renamed record', () => {
    const issues = checkBackwardCompatibility(base, { ...base, name: 'Renamed' });
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toContain('renamed');
  });

  it('rejects a renamed field without an alias (the new field has no default)', () => {
    const next = withField(base, 'orderId', { name: 'orderNumber', type: 'string' });
    expect(paths(base, next)).toEqual(['orderNumber']);
  });

  it('reports every problem, not just the first', () => {
    const next = {
      ...withField(withField(base, 'quantity', { name: 'quantity', type: 'string' }), 'note', {
        name: 'note',
        type: 'string',
      }),
    };
    next.fields = [...next.fields, { name: 'added', type: 'long' }];
    expect(paths(base, next).sort()).toEqual(['added', 'note', 'quantity']);
  });
});

describe('checkBackwardCompatibility: compatible changes', () => {
  it('accepts an identical schema', () => {
    expect(checkBackwardCompatibility(base, structuredClone(base))).toEqual([]);
  });

  it('accepts a field added with a default', () => {
    const next = {
      ...base,
      fields: [
        ...base.fields,
        { name: 'giftMessage', type: ['null', 'string'], default: null },
        { name: 'priority', type: 'string', default: 'NORMAL' },
      ],
    };
    expect(checkBackwardCompatibility(base, next)).toEqual([]);
  });

  it('accepts a removed field', () => {
    expect(checkBackwardCompatibility(base, withField(base, 'note', undefined))).toEqual([]);
  });

  it.each([
    ['int', 'long'],
    ['int', 'float'],
    ['int', 'double'],
    ['long', 'float'],
    ['long', 'double'],
    ['float', 'double'],
    ['string', 'bytes'],
    ['bytes', 'string'],
  ])('accepts the promotion %s → %s', (from, to) => {
    const previous = withField(base, 'quantity', { name: 'quantity', type: from });
    const next = withField(base, 'quantity', { name: 'quantity', type: to });
    expect(checkBackwardCompatibility(previous, next)).toEqual([]);
  });

  it('accepts an enum symbol added', () => {
    const next = withField(base, 'status', {
      name: 'status',
      type: { type: 'enum', name: 'Status', symbols: ['OPEN', 'CLOSED', 'ON_HOLD'] },
    });
    expect(checkBackwardCompatibility(base, next)).toEqual([]);
  });

  it('accepts an enum symbol removed when the enum has a default', () => {
    const next = withField(base, 'status', {
      name: 'status',
      type: { type: 'enum', name: 'Status', symbols: ['OPEN'], default: 'OPEN' },
    });
    expect(checkBackwardCompatibility(base, next)).toEqual([]);
  });

  it('accepts making a required field optional', () => {
    const next = withField(base, 'orderId', { name: 'orderId', type: ['null', 'string'], default: null });
    expect(checkBackwardCompatibility(base, next)).toEqual([]);
  });

  it('accepts a renamed field that keeps the old name as an alias', () => {
    const next = withField(base, 'orderId', { name: 'orderNumber', type: 'string', aliases: ['orderId'] });
    expect(checkBackwardCompatibility(base, next)).toEqual([]);
  });

  it('accepts docs and custom attributes changing', () => {
    const next = {
      ...base,
      doc: 'Now documented.',
      fields: base.fields.map((f) => ({ ...f, doc: `About ${f.name}.` })),
    };
    expect(checkBackwardCompatibility(base, next)).toEqual([]);
  });

  it('accepts a field added with a default to a nested record used twice by name', () => {
    const addressV1 = { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }] };
    const addressV2 = {
      ...addressV1,
      fields: [...addressV1.fields, { name: 'phone', type: ['null', 'string'], default: null }],
    };
    const v1 = record([
      { name: 'billing', type: addressV1 },
      { name: 'shipping', type: 'Address' },
    ]);
    const v2 = record([
      { name: 'billing', type: addressV2 },
      { name: 'shipping', type: 'Address' },
    ]);
    expect(checkBackwardCompatibility(v1, v2)).toEqual([]);
  });

  it('accepts every schema in schemas/ against itself', () => {
    const files = findSchemaFiles();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const schema: unknown = JSON.parse(readFileSync(file, 'utf8'));
      expect(checkBackwardCompatibility(schema, structuredClone(schema)), file).toEqual([]);
    }
  });
});

describe('formatCompatibilityIssues', () => {
  it('prefixes each issue with the label', () => {
    const next = { ...base, fields: [...base.fields, { name: 'giftMessage', type: 'string' }] };
    const text = formatCompatibilityIssues(
      'schemas/test/sample.avsc',
      checkBackwardCompatibility(base, next),
    );
    expect(text).toMatch(/^schemas\/test\/sample\.avsc: field "giftMessage" was added without a default/);
  });
});
