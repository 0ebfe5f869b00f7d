import type { EventMap } from '@fv/contracts';
import { describe, expect, it } from 'vitest';
import { combineHandlers } from './combine-handlers.js';
import type { HandlerContext } from './consumer.js';

const context = {} as HandlerContext;
const event = (name: string) => ({ eventId: name }) as unknown as EventMap['OrderCreated'];

describe('combineHandlers', () => {
  it('runs every reader that handles an event, in the order given, and keeps the handlers only one reader has', async () => {
    const calls: string[] = [];
    const combined = combineHandlers(
      {
        OrderCreated: async () => void calls.push('first:OrderCreated'),
        OrderCompleted: async () => void calls.push('first:OrderCompleted'),
      },
      {
        OrderCreated: async () => void calls.push('second:OrderCreated'),
        LowStockAlert: async () => void calls.push('second:LowStockAlert'),
      },
    );
    expect(Object.keys(combined).sort()).toEqual(['LowStockAlert', 'OrderCompleted', 'OrderCreated']);
    await combined.OrderCreated!(event('a'), context);
    await combined.OrderCompleted!(event('b') as never, context);
    await combined.LowStockAlert!(event('c') as never, context);
    expect(calls).toEqual([
      'first:OrderCreated',
      'second:OrderCreated',
      'first:OrderCompleted',
      'second:LowStockAlert',
    ]);
  });

  it('stops at the first reader that fails, so the consumer retries the event for all of them', async () => {
    const calls: string[] = [];
    const combined = combineHandlers(
      { OrderCreated: async () => Promise.reject(new Error('database gone')) },
      { OrderCreated: async () => void calls.push('second') },
    );
    await expect(combined.OrderCreated!(event('a'), context)).rejects.toThrow('database gone');
    expect(calls).toEqual([]);
  });
});
