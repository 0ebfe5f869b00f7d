import { loadConfig } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config.js';
import { categorize, OutboundPolicy, outboundPolicyOf, parseAllowEntry } from './outbound-policy.js';

const nowhere = () =>
  Promise.reject(Object.assign(new Error('no resolver in unit tests'), { code: 'ENOTFOUND' }));
const resolvesTo =
  (...addresses: string[]) =>
  () =>
    Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));

describe('the outbound URL policy', () => {
  const strict = new OutboundPolicy({ allow: [], lookup: nowhere });

  it('refuses loopback, link-local and private addresses in every spelling', async () => {
    for (const [url, category] of [
      ['http://127.0.0.1', 'loopback'],
      ['http://2130706433', 'loopback'],
      ['http://0x7f.0.0.1', 'loopback'],
      ['http://0177.0.0.1', 'loopback'],
      ['http://127.1', 'loopback'],
      ['http://[::1]', 'loopback'],
      ['http://[::ffff:127.0.0.1]', 'loopback'],
      ['http://[::ffff:a9fe:a9fe]', 'link-local'],
      ['http://[64:ff9b::10.0.0.1]', 'private'],
      ['http://[2002:c0a8:101::]', 'private'],
      ['http://169.254.169.254', 'link-local'],
      ['http://[fe80::1]', 'link-local'],
      ['http://10.0.0.1', 'private'],
      ['http://172.16.5.4', 'private'],
      ['http://192.168.0.1', 'private'],
      ['http://100.64.0.1', 'private'],
      ['http://[fd12::1]', 'private'],
      ['http://0.0.0.0', 'unspecified'],
      ['http://[::]', 'unspecified'],
      ['http://224.0.0.1', 'multicast'],
      ['http://localhost', 'loopback'],
      ['http://api.localhost.', 'loopback'],
      ['ftp://files.example.com', 'scheme'],
      ['file:///etc/passwd', 'scheme'],
      ['not a url', 'scheme'],
    ] as const) {
      expect(await strict.resolve(url), url).toMatchObject({ ok: false, category });
    }
  });

  it('judges a name by every address it resolves to and connects to the checked one', async () => {
    const policy = new OutboundPolicy({ allow: [], lookup: resolvesTo('93.184.215.14', '10.0.0.7') });
    expect(await policy.resolve('https://hooks.example.com/x')).toMatchObject({
      ok: false,
      category: 'private',
    });
    const publicOnly = new OutboundPolicy({ allow: [], lookup: resolvesTo('93.184.215.14') });
    expect(await publicOnly.resolve('https://hooks.example.com/x')).toMatchObject({
      ok: true,
      address: '93.184.215.14',
    });
    expect(categorize('93.184.215.14')).toBeNull();
    expect(categorize('2606:2800:21f:cb07:6820:80da:af6b:8b2c')).toBeNull();
  });

  it('admits what the allow-list names: addresses, ranges, names, each optionally on one port', async () => {
    const policy = new OutboundPolicy({
      allow: ['10.0.0.0/8', '127.0.0.1:8081', 'orders.internal', '[::1]:9000'],
      lookup: resolvesTo('192.168.7.7'),
    });
    expect(await policy.resolve('http://10.1.2.3/health')).toMatchObject({ ok: true });
    expect(await policy.resolve('http://[::ffff:10.1.2.3]/health')).toMatchObject({ ok: true });
    expect(await policy.resolve('http://127.0.0.1:8081/health')).toMatchObject({ ok: true });
    expect(await policy.resolve('http://127.0.0.1:5432/')).toMatchObject({ ok: false });
    expect(await policy.resolve('http://[::1]:9000/')).toMatchObject({ ok: true });
    expect(await policy.resolve('http://orders.internal/health')).toMatchObject({
      ok: true,
      address: '192.168.7.7',
    });
    expect(await policy.resolve('http://catalog.internal/health')).toMatchObject({ ok: false });
  });

  it('passes a name that does not resolve yet when a URL is stored; each call checks again', async () => {
    expect(await strict.admit('https://not-yet.example.com/hook')).toBeNull();
    expect(await strict.resolve('https://not-yet.example.com/hook')).toMatchObject({
      ok: false,
      category: 'unresolved',
    });
  });

  it('allows loopback by default only when NODE_ENV says local development', async () => {
    const minimal = { SERVICE_NAME: 'platform-coordination', PORT: '8081' };
    const of = (env: Record<string, string>) =>
      outboundPolicyOf(loadConfig(configSchema, { ...minimal, ...env }));
    expect((await of({ NODE_ENV: 'development' }).resolve('http://127.0.0.1:8084/health')).ok).toBe(true);
    expect((await of({ NODE_ENV: 'test' }).resolve('http://[::1]:8084/health')).ok).toBe(true);
    expect((await of({ NODE_ENV: 'test' }).resolve('http://10.0.0.1/health')).ok).toBe(false);
    expect(
      (
        await of({ NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-0123' }).resolve(
          'http://127.0.0.1/',
        )
      ).ok,
    ).toBe(false);
    expect(
      (await of({ NODE_ENV: 'development', OUTBOUND_ALLOW_HOSTS: 'none' }).resolve('http://127.0.0.1/')).ok,
    ).toBe(false);
  });

  it('names a bad allow-list entry at start-up', () => {
    expect(parseAllowEntry('10.0.0.0/33')).toBeNull();
    expect(parseAllowEntry('http://x')).toBeNull();
    expect(() =>
      loadConfig(configSchema, {
        SERVICE_NAME: 'platform-coordination',
        PORT: '8081',
        OUTBOUND_ALLOW_HOSTS: '10.0.0.0/8, not a host',
      }),
    ).toThrow(/OUTBOUND_ALLOW_HOSTS: must be a comma-separated list.*not a host/);
  });
});
