import { describe, expect, it } from 'vitest';
import { idPattern, parseId } from './ids.js';

describe('ids', () => {
  const uuid = '550e8400-e29b-41d4-a716-446655440000';
  it('accepts plain and prefixed UUIDs and returns the plain lower-case form', () => {
    expect(parseId(uuid)).toBe(uuid);
    expect(parseId(`wf-${uuid}`)).toBe(uuid);
    expect(parseId(`ord-${uuid.toUpperCase()}`)).toBe(uuid);
    expect(parseId(`saga-${uuid}`, ['saga'])).toBe(uuid);
  });
  it('refuses anything else', () => {
    for (const raw of ['', 'wf-', 'abc', `xx-${uuid}`, `${uuid}0`]) expect(parseId(raw)).toBeNull();
    expect(parseId(`wf-${uuid}`, ['saga'])).toBeNull();
    expect(new RegExp(idPattern(['wf'])).test(`wf-${uuid}`)).toBe(true);
    expect(new RegExp(idPattern(['wf'])).test(`ord-${uuid}`)).toBe(false);
  });
});
