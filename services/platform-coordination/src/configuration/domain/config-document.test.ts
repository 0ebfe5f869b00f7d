import { describe, expect, it } from 'vitest';
import {
  diffEntries,
  expandDottedKeys,
  maskSecrets,
  MASKED_SECRET,
  mergeSources,
  validateEntries,
} from './config-document.js';

describe('mergeSources', () => {
  it('lets the service override the defaults and the profile override the service, and sums the versions', () => {
    const effective = mergeSources('orders', 'staging', [
      {
        service: 'application',
        profile: null,
        version: 3,
        entries: { logLevel: 'info', region: 'eu' },
        secretKeys: [],
      },
      {
        service: 'orders',
        profile: null,
        version: 5,
        entries: { logLevel: 'warn', 'db.password': 'x' },
        secretKeys: ['db.password'],
      },
      { service: 'orders', profile: 'staging', version: 1, entries: { logLevel: 'debug' }, secretKeys: [] },
    ]);
    expect(effective.properties).toEqual({ 'db.password': 'x', logLevel: 'debug', region: 'eu' });
    expect(effective.version).toBe(9);
    expect(effective.secretKeys).toEqual(['db.password']);
    expect(effective.sources.map((s) => s.version)).toEqual([3, 5, 1]);
  });

  it('drops the secrecy of a key a later source sets in clear', () => {
    const effective = mergeSources('orders', null, [
      { service: 'application', profile: null, version: 1, entries: { token: 'a' }, secretKeys: ['token'] },
      { service: 'orders', profile: null, version: 1, entries: { token: 'public' }, secretKeys: [] },
    ]);
    expect(effective.secretKeys).toEqual([]);
  });
});

describe('maskSecrets', () => {
  it('hides secret values unless revealed', () => {
    expect(maskSecrets({ a: 1, s: 'pw' }, ['s'], false)).toEqual({ a: 1, s: MASKED_SECRET });
    expect(maskSecrets({ a: 1, s: 'pw' }, ['s'], true)).toEqual({ a: 1, s: 'pw' });
  });
});

describe('diffEntries', () => {
  it('lists added, modified (value or secrecy) and removed keys', () => {
    expect(
      diffEntries(
        { a: 1, b: { x: 1 }, c: 'k', d: 'same' },
        ['c'],
        { b: { x: 2 }, c: 'k', d: 'same', e: true },
        [],
      ),
    ).toEqual([
      { key: 'a', change: 'REMOVED' },
      { key: 'b', change: 'MODIFIED' },
      { key: 'c', change: 'MODIFIED' },
      { key: 'e', change: 'ADDED' },
    ]);
  });
});

describe('validateEntries', () => {
  it('accepts well-formed keys and valid live values', () => {
    expect(
      validateEntries(
        {
          logLevel: 'debug',
          'featureFlags.newCheckout': true,
          'retry.maxAttempts': 5,
          'payment.provider': { name: 'x' },
        },
        [],
        'body.entries',
      ),
    ).toEqual([]);
  });

  it('names each bad key or value', () => {
    const issues = validateEntries(
      {
        'bad key': 1,
        logLevel: 'loud',
        'featureFlags.x': 'yes',
        'retry.maxAttempts': 0,
        big: 'x'.repeat(70_000),
      },
      ['missing'],
      'body.entries',
    );
    expect(issues.map((issue) => issue.field)).toEqual([
      'body.entries.bad key',
      'body.entries.logLevel',
      'body.entries.featureFlags.x',
      'body.entries.retry.maxAttempts',
      'body.entries.big',
      'body.secretKeys[0]',
    ]);
  });
});

describe('expandDottedKeys', () => {
  it('nests dotted keys, refining whole objects with more specific keys', () => {
    expect(
      expandDottedKeys({
        logLevel: 'debug',
        'featureFlags.a': true,
        retry: { maxAttempts: 3, multiplier: 2 },
        'retry.maxAttempts': 5,
      }),
    ).toEqual({ logLevel: 'debug', featureFlags: { a: true }, retry: { maxAttempts: 5, multiplier: 2 } });
  });
});
