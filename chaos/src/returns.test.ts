import { describe, expect, it } from 'vitest';
import { planOrders, replenishedStock, type Product } from './load.js';
import { Prng } from '@fv/testing';
import { planReturns } from './returns.js';

const products: Product[] = Array.from({ length: 4 }, (_, i) => ({
  productId: `0000000${i}-0000-4000-8000-000000000000`,
  sku: `SKU-${i}`,
  price: '10.00',
  initialOnHand: 1000,
  replenishment: null,
}));

function plan(seed: number, share: number) {
  const orders = planOrders({ products, orders: 400, random: new Prng(seed).fork('orders'), runId: 'r' });
  return { orders, returns: planReturns(orders, share, new Prng(seed).fork('returns')) };
}

describe('the returns of a load', () => {
  it('are drawn from the seed among approved orders, some whole, some partial, never more than was ordered', () => {
    const { orders, returns } = plan(7, 0.2);
    expect(plan(7, 0.2).returns).toEqual(returns);
    expect(returns.length).toBeGreaterThan(40);
    expect(returns.length).toBeLessThan(120);
    expect(returns.some((given) => given.full)).toBe(true);
    expect(returns.some((given) => !given.full)).toBe(true);
    for (const given of returns) {
      const order = orders[given.orderIndex]!;
      expect(['tok_visa_4242', 'tok_transient_once']).toContain(order.card);
      const ordered = order.lines.reduce((sum, line) => sum + line.quantity, 0);
      const returned = given.lines.reduce((sum, line) => sum + line.quantity, 0);
      if (given.full) expect(given.lines).toEqual(order.lines);
      else expect(returned).toBeLessThan(ordered);
      for (const line of given.lines) {
        const orderedLine = order.lines.find((candidate) => candidate.productId === line.productId)!;
        expect(line.quantity).toBeGreaterThan(0);
        expect(line.quantity).toBeLessThanOrEqual(orderedLine.quantity);
      }
    }
  });

  it('none with a share of 0', () => {
    expect(plan(7, 0).returns).toEqual([]);
  });
});

describe('the stock of a replenished location', () => {
  it('starts above its threshold, and a reorder lifts it back above it', () => {
    expect(replenishedStock(1000, 8)).toEqual({ threshold: 125, reorderQuantity: 250, initialOnHand: 188 });
    expect(replenishedStock(60, 4)).toEqual({ threshold: 30, reorderQuantity: 60, initialOnHand: 45 });
  });
});
