import { describe, expect, it } from 'vitest';
import { bracket, nextSearchRate } from './search.js';

describe('nextSearchRate', () => {
  it('bisects between the highest passing and the lowest failing rate above it', () => {
    const outcomes = [
      { rate: 10, passed: true },
      { rate: 25, passed: true },
      { rate: 50, passed: false },
      { rate: 100, passed: false },
    ];
    expect(bracket(outcomes)).toEqual({ passing: 25, failing: 50 });
    expect(nextSearchRate(outcomes, 400)).toBe(38);
    expect(nextSearchRate([...outcomes, { rate: 38, passed: false }], 400)).toBe(32);
  });

  it('stops once the bracket is within 10 %', () => {
    expect(
      nextSearchRate(
        [
          { rate: 30, passed: true },
          { rate: 32, passed: false },
        ],
        400,
      ),
    ).toBeNull();
  });

  it('doubles upwards to the maximum when nothing failed yet', () => {
    expect(nextSearchRate([{ rate: 20, passed: true }], 400)).toBe(40);
    expect(nextSearchRate([{ rate: 300, passed: true }], 400)).toBe(400);
    expect(nextSearchRate([{ rate: 400, passed: true }], 400)).toBeNull();
  });

  it('halves downwards when nothing passed yet', () => {
    expect(nextSearchRate([{ rate: 5, passed: false }], 400)).toBe(2.5);
    expect(nextSearchRate([{ rate: 0.5, passed: false }], 400)).toBeNull();
  });

  it('ignores a failure below the passing rate (noise) when bracketing', () => {
    expect(
      bracket([
        { rate: 10, passed: false },
        { rate: 20, passed: true },
        { rate: 40, passed: false },
      ]),
    ).toEqual({ passing: 20, failing: 40 });
  });
});
