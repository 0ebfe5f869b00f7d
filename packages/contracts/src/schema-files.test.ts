import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { envelopeFields, lintEventSchema, loadEventDefinitions, SchemaLintError } from './schema-files.js';

const FILE = 'schemas/order/sample-placed.avsc';

const envelope = envelopeFields.map((field) => ({ ...field, doc: `The ${field.name}.` }));

function sample(overrides: Record<string, unknown> = {}, payload: unknown[] = []) {
  return {
    type: 'record',
    name: 'SamplePlaced',
    namespace: 'com.firstviscount.events.order',
    doc: 'A sample was placed.',
    fields: [...envelope, { name: 'orderId', type: 'string', doc: 'Order id.' }, ...payload],
    ...overrides,
  };
}

function problems(schema: unknown, file = FILE): string[] {
  return lintEventSchema(file, JSON.stringify(schema)).problems;
}

describe('lintEventSchema', () => {
  it('accepts a schema that follows the rules and derives topic and subject from the name', () => {
    const result = lintEventSchema(FILE, JSON.stringify(sample()));
    expect(result.problems).toEqual([]);
    expect(result.definition).toMatchObject({
      name: 'SamplePlaced',
      domain: 'order',
      file: FILE,
      topic: 'sample-placed-events',
      subject: 'sample-placed-events-value',
    });
  });

  it('rejects text that is not JSON', () => {
    expect(lintEventSchema(FILE, '{ "type": ').problems[0]).toMatch(/not valid JSON/);
  });

  it('rejects a file name that does not match the record name', () => {
    expect(problems(sample(), 'schemas/order/placed.avsc')).toEqual([
      'schemas/order/placed.avsc: record "SamplePlaced" must live in a file named sample-placed.avsc',
    ]);
  });

  it('rejects a namespace that does not match the domain folder', () => {
    expect(problems(sample({ namespace: 'com.firstviscount.events.payment' }))).toEqual([
      `${FILE}: namespace must be "com.firstviscount.events.order" (found "com.firstviscount.events.payment")`,
    ]);
  });

  it('rejects a schema without the envelope first', () => {
    const schema = sample();
    schema.fields = schema.fields.filter((f) => (f as { name: string }).name !== 'causationId');
    const found = problems(schema);
    expect(
      found.some((p) => p.includes('field 4 must be the envelope field') && p.includes('causationId')),
    ).toBe(true);
  });

  it('rejects an envelope field with a different type', () => {
    const schema = sample();
    schema.fields[1] = { name: 'occurredAt', type: 'string', doc: 'When.' };
    expect(problems(schema)[0]).toMatch(/field 2 must be the envelope field .*occurredAt/);
  });

  it('rejects a record or field without a doc', () => {
    const undocumented: Record<string, unknown> = sample();
    delete undocumented['doc'];
    expect(problems(undocumented)).toEqual([`${FILE}: record "SamplePlaced" needs a "doc"`]);
    expect(problems(sample({}, [{ name: 'note', type: 'string' }]))).toEqual([
      `${FILE}: field "note" of "SamplePlaced" needs a "doc"`,
    ]);
  });

  it('rejects money as a number, naming the field', () => {
    const found = problems(
      sample({}, [
        { name: 'totalAmount', type: 'double', doc: 'Total.' },
        { name: 'currency', type: 'string', doc: 'Currency.' },
      ]),
    );
    expect(found).toEqual([
      `${FILE}: "totalAmount": money is a decimal string, {"type": "string", "x-format": "decimal"} (found double)`,
    ]);
  });

  it('rejects money inside nested records too', () => {
    const line = {
      type: 'record',
      name: 'Line',
      doc: 'A line.',
      fields: [{ name: 'unitPrice', type: 'float', doc: 'Price.' }],
    };
    const found = problems(
      sample({}, [
        { name: 'lines', type: { type: 'array', items: line }, doc: 'Lines.' },
        { name: 'currency', type: 'string', doc: 'Currency.' },
      ]),
    );
    expect(found).toEqual([
      `${FILE}: "lines[].unitPrice": money is a decimal string, {"type": "string", "x-format": "decimal"} (found float)`,
    ]);
  });

  it('requires a currency next to amounts', () => {
    const found = problems(
      sample({}, [{ name: 'amount', type: { type: 'string', 'x-format': 'decimal' }, doc: 'A.' }]),
    );
    expect(found).toEqual([`${FILE}: an event with amounts needs a top-level "currency" string field`]);
  });

  it('rejects unions other than ["null", T] and optional fields without a null default', () => {
    expect(
      problems(sample({}, [{ name: 'note', type: ['string', 'null'], default: 'x', doc: 'N.' }])),
    ).toEqual([`${FILE}: "note": a union must be ["null", <type>] (found string | null)`]);
    expect(problems(sample({}, [{ name: 'note', type: ['null', 'string'], doc: 'N.' }]))).toEqual([
      `${FILE}: "note": an optional field needs "default": null`,
    ]);
    expect(
      problems(sample({}, [{ name: 'n', type: ['null', 'string', 'int'], default: null, doc: 'N.' }])),
    ).toEqual([`${FILE}: "n": a union must be ["null", <type>] (found null | string | int)`]);
  });

  it('rejects a default the Avro library does not accept', () => {
    const found = problems(sample({}, [{ name: 'count', type: 'int', default: 'many', doc: 'C.' }]));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/rejected by the Avro library/);
  });

  it('rejects a reference to an undefined type, naming where', () => {
    expect(problems(sample({}, [{ name: 'line', type: 'Line', doc: 'L.' }]))).toEqual([
      `${FILE}: line: unknown type "Line"`,
    ]);
  });
});

describe('loadEventDefinitions', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  function tree(files: Record<string, unknown>): string {
    root = mkdtempSync(join(tmpdir(), 'contracts-lint-'));
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), JSON.stringify(content));
    }
    return join(root, 'schemas');
  }

  it('loads the repository schemas sorted by name', () => {
    const names = loadEventDefinitions().map((d) => d.name);
    expect(names).toEqual([...names].sort());
  });

  it('rejects a named type defined differently in two files, naming both', () => {
    const address = (fields: unknown[]) => ({
      type: 'record',
      name: 'Address',
      namespace: 'com.firstviscount.events.common',
      doc: 'An address.',
      fields,
    });
    const city = { name: 'city', type: 'string', doc: 'City.' };
    const zip = { name: 'zip', type: 'string', doc: 'Zip.' };
    const schemas = tree({
      'schemas/order/sample-placed.avsc': sample({}, [{ name: 'to', type: address([city]), doc: 'To.' }]),
      'schemas/order/sample-shipped.avsc': sample({ name: 'SampleShipped' }, [
        { name: 'to', type: address([city, zip]), doc: 'To.' },
      ]),
    });
    expect(() => loadEventDefinitions(schemas)).toThrow(SchemaLintError);
    expect(() => loadEventDefinitions(schemas)).toThrow(
      'schemas/order/sample-shipped.avsc: type "com.firstviscount.events.common.Address" differs from its definition in schemas/order/sample-placed.avsc',
    );
  });

  it('lists the problems of every file at once', () => {
    const schemas = tree({
      'schemas/order/sample-placed.avsc': sample({ doc: '' }),
      'schemas/payment/sample-paid.avsc': sample({ name: 'SamplePaid' }),
    });
    try {
      loadEventDefinitions(schemas);
      expect.fail('expected a SchemaLintError');
    } catch (error) {
      expect(error).toBeInstanceOf(SchemaLintError);
      expect((error as SchemaLintError).problems).toEqual([
        'schemas/order/sample-placed.avsc: record "SamplePlaced" needs a "doc"',
        'schemas/payment/sample-paid.avsc: namespace must be "com.firstviscount.events.payment" (found "com.firstviscount.events.order")',
      ]);
    }
  });
});
