import { describe, expect, it } from 'vitest';
import { isEmptyFilter, workflowFilterOf } from './workflow-filter.js';

const now = new Date('2026-12-04T10:00:00.000Z');
const id = '0b6d1c4e-8f1a-4c8e-9d7a-2f1e3c4b5a69';

describe('workflowFilterOf', () => {
  it('normalises ids and dates, and keeps what is not given out', () => {
    expect(
      workflowFilterOf(
        {
          type: 'ORDER_FULFILLMENT',
          customerId: `cust-${id.toUpperCase()}`,
          orderId: `ord-${id}`,
          from: '2026-12-01T00:00:00Z',
        },
        now,
        60_000,
      ),
    ).toEqual({
      type: 'ORDER_FULFILLMENT',
      customerId: id,
      orderId: id,
      from: new Date('2026-12-01T00:00:00Z'),
    });
  });

  it('turns stuck into the active statuses, last updated before now minus the stuck threshold', () => {
    expect(workflowFilterOf({ stuck: true }, now, 30 * 60_000)).toEqual({
      statuses: ['STARTED', 'IN_PROGRESS', 'COMPENSATING', 'CANCELLING'],
      stuckBefore: new Date('2026-12-04T09:30:00.000Z'),
    });
    expect(workflowFilterOf({ stuck: true, status: 'COMPENSATING' }, now, 1000)).toMatchObject({
      statuses: ['COMPENSATING'],
    });
  });

  it('refuses stuck with a finished status, and a time range that ends before it starts', () => {
    expect(() => workflowFilterOf({ stuck: true, status: 'COMPLETED' }, now, 1000)).toThrow(/never stuck/);
    expect(() =>
      workflowFilterOf({ from: '2026-12-04T10:00:00Z', to: '2026-12-04T09:00:00Z' }, now, 1000),
    ).toThrow(/before/);
  });

  it('tells an empty filter (nothing named, or stuck false) from one that names something', () => {
    expect(isEmptyFilter({})).toBe(true);
    expect(isEmptyFilter({ stuck: false, type: '' })).toBe(true);
    expect(isEmptyFilter({ stuck: true })).toBe(false);
    expect(isEmptyFilter({ customerId: id })).toBe(false);
  });
});
