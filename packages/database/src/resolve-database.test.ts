import { describe, expect, it } from 'vitest';
import { databaseNameFor, describeTarget, parseDatabaseUrl, resolveDatabase } from './resolve-database.js';

describe('parseDatabaseUrl', () => {
  it('reads PostgreSQL URLs', () => {
    expect(parseDatabaseUrl('postgresql://u:p@db:5432/orders', 'orders')).toEqual({
      kind: 'postgres',
      url: 'postgresql://u:p@db:5432/orders',
      database: 'orders',
    });
  });

  it('reads embedded locations', () => {
    expect(parseDatabaseUrl('pglite:memory', 'x')).toEqual({ kind: 'pglite', dataDir: null });
    expect(parseDatabaseUrl('pglite:/tmp/data/x', 'x')).toEqual({ kind: 'pglite', dataDir: '/tmp/data/x' });
  });

  it('rejects what it cannot use, naming the service', () => {
    expect(() => parseDatabaseUrl('mysql://db/x', 'orders')).toThrow(/orders.*unsupported scheme "mysql:"/);
    expect(() => parseDatabaseUrl('not a url', 'orders')).toThrow(/orders.*not a URL/);
    expect(() => parseDatabaseUrl('postgresql://db:5432', 'orders')).toThrow(/names no database/);
  });
});

describe('resolveDatabase', () => {
  it('falls back to the embedded database when no server answers', async () => {
    const target = await resolveDatabase({
      service: 'inventory',
      adminUrl: 'postgresql://postgres@127.0.0.1:1/postgres',
      stateDir: '/tmp/fv-state',
      probeTimeoutMs: 300,
    });
    expect(target).toEqual({ kind: 'pglite', dataDir: '/tmp/fv-state/pglite/inventory' });
  });

  it('names one database per service', () => {
    expect(databaseNameFor('platform-coordination')).toBe('fv_platform_coordination');
  });

  it('never prints a password', () => {
    expect(
      describeTarget({ kind: 'postgres', url: 'postgresql://u:secret@db/x', database: 'x' }),
    ).not.toContain('secret');
  });
});
