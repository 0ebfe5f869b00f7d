import { describe, expect, it } from 'vitest';
import { distribution, percentile, spread } from './percentiles.js';

describe('percentile', () => {
  it('takes the nearest rank, a measured value', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30], 99)).toBe(30);
    expect(percentile([7], 99)).toBe(7);
  });

  it('answers null for no values and refuses a percentile outside 0..100', () => {
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('distribution', () => {
  it('sorts its input and gives p50, p99, max and mean', () => {
    const result = distribution([5, 1, 4, 2, 3]);
    expect(result).toEqual({ count: 5, p50: 3, p90: 5, p99: 5, max: 5, mean: 3 });
  });

  it('is all nulls for no values', () => {
    expect(distribution([])).toEqual({ count: 0, p50: null, p90: null, p99: null, max: null, mean: null });
  });
});

describe('spread', () => {
  it('gives the median and min–max of repetitions, leaving out missing ones', () => {
    expect(spread([3, null, 1, 2, undefined])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([])).toEqual({ median: null, min: null, max: null });
  });
});
