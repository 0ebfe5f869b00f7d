import { describe, expect, it } from 'vitest';
import { distribution, spread } from './distribution.js';

describe('distribution', () => {
  it('sorts its input and gives p50, p90, p99, max and mean', () => {
    const result = distribution([5, 1, 4, 2, 3]);
    expect(result).toEqual({ count: 5, p50: 3, p90: 5, p99: 5, max: 5, mean: 3 });
  });

  it('takes nearest-rank percentiles, values that were measured', () => {
    const values = Array.from({ length: 200 }, (_, i) => 200 - i);
    const result = distribution(values);
    expect(result.p50).toBe(100);
    expect(result.p90).toBe(180);
    expect(result.p99).toBe(198);
    expect(result.max).toBe(200);
    expect(result.mean).toBe(100.5);
  });

  it('leaves its input as it was', () => {
    const values = [3, 1, 2];
    distribution(values);
    expect(values).toEqual([3, 1, 2]);
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

  it('leaves out values that are not finite', () => {
    expect(spread([Number.NaN, 4, Number.POSITIVE_INFINITY, 2])).toEqual({ median: 2, min: 2, max: 4 });
  });

  it('takes the lower middle value as the median of an even count', () => {
    expect(spread([10, 40, 20, 30])).toEqual({ median: 20, min: 10, max: 40 });
  });
});
