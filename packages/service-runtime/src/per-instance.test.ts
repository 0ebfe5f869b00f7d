import { describe, expect, it } from 'vitest';
import { perInstance } from './per-instance.js';

describe('perInstance', () => {
  it('makes one value per context, once, and gives it again after', () => {
    let made = 0;
    const of = perInstance((context: { name: string }) => ({ name: context.name, serial: (made += 1) }));
    const a = { name: 'a' };
    const b = { name: 'b' };
    expect(of(a)).toBe(of(a));
    expect(of(b)).toEqual({ name: 'b', serial: 2 });
    expect(of(a).serial).toBe(1);
    expect(made).toBe(2);
  });
});
