import { describe, expect, it } from 'vitest';
import { generatePublishableKey, hashPublishableKey, looksLikePublishableKey } from './publishable-key.js';

describe('publishable keys', () => {
  it('are random, shaped pk_<43 characters>, and kept only as their hash and prefix', () => {
    const first = generatePublishableKey();
    const second = generatePublishableKey();
    expect(first.key).not.toBe(second.key);
    expect(first.key).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
    expect(looksLikePublishableKey(first.key)).toBe(true);
    expect(first.keyPrefix).toBe(first.key.slice(0, 11));
    expect(first.keyHash).toBe(hashPublishableKey(first.key));
    expect(first.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.keyHash).not.toContain(first.key.slice(3, 20));
  });

  it('refuses values of another shape before any lookup', () => {
    const { key } = generatePublishableKey();
    for (const value of [
      '',
      'pk_',
      `${key}x`,
      key.slice(0, -1),
      `sk_${key.slice(3)}`,
      `pk_${'!'.repeat(43)}`,
    ]) {
      expect(looksLikePublishableKey(value), value).toBe(false);
    }
  });
});
