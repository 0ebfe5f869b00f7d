import { describe, expect, it } from 'vitest';
import { dateOf, dateOrNull, jsonOf, textOrNull } from './row-values.js';

describe('row values, whichever driver returned them', () => {
  it('reads timestamps given as Date or as ISO text', () => {
    const at = new Date('2026-12-04T10:00:00.123Z');
    expect(dateOf(at)).toEqual(at);
    expect(dateOf('2026-12-04T10:00:00.123+00:00')).toEqual(at);
    expect(dateOrNull(null)).toBeNull();
    expect(dateOrNull(undefined)).toBeNull();
  });

  it('reads text, JSON parsed or not, and keeps null', () => {
    expect(textOrNull(12n)).toBe('12');
    expect(textOrNull(null)).toBeNull();
    expect(jsonOf<{ a: number }>('{"a":1}')).toEqual({ a: 1 });
    expect(jsonOf<{ a: number }>({ a: 1 })).toEqual({ a: 1 });
  });
});
