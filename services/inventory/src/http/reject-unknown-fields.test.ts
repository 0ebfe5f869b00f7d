import { describe, expect, it } from 'vitest';
import { unknownFields } from './reject-unknown-fields.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    orderId: { type: 'string' },
    items: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, properties: { quantity: { type: 'integer' } } },
    },
    metadata: { type: 'object' },
  },
};

describe('unknownFields', () => {
  it('names undeclared fields of closed objects, nested ones too', () => {
    expect(
      unknownFields(
        schema,
        {
          orderId: 'o',
          note: 1,
          items: [{ quantity: 1 }, { quantity: 2, qty: 2 }],
          metadata: { free: true },
        },
        'body',
      ),
    ).toEqual([
      { field: 'body.note', rule: 'additionalProperties', message: 'is not a field of this request' },
      { field: 'body.items[1].qty', rule: 'additionalProperties', message: 'is not a field of this request' },
    ]);
  });

  it('accepts declared fields and leaves non-objects to the validator', () => {
    expect(unknownFields(schema, { orderId: 'o', items: [{ quantity: 1 }] }, 'body')).toEqual([]);
    expect(unknownFields(schema, 'text', 'body')).toEqual([]);
    expect(unknownFields(undefined, { any: 1 }, 'body')).toEqual([]);
  });
});
