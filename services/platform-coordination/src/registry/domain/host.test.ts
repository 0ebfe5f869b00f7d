import { describe, expect, it } from 'vitest';
import { hostPort, isValidHost } from './host.js';

describe('isValidHost', () => {
  it('accepts host names and IP addresses', () => {
    for (const host of ['orders', 'orders-1.svc.cluster.local', '127.0.0.1', '::1', 'fe80::1', 'a.b.c.']) {
      expect(isValidHost(host), host).toBe(true);
    }
  });
  it('refuses anything else', () => {
    for (const host of [
      '',
      'has space',
      'under_score',
      '-leading',
      'trailing-',
      'a..b',
      'http://x',
      '999.1.1.1',
      'x'.repeat(64),
      `${'a.'.repeat(127)}a`,
    ]) {
      expect(isValidHost(host), host).toBe(false);
    }
  });
});

describe('hostPort', () => {
  it('brackets IPv6 addresses', () => {
    expect(hostPort('::1', 80)).toBe('[::1]:80');
    expect(hostPort('orders', 8084)).toBe('orders:8084');
  });
});
