import { describe, expect, it } from 'vitest';
import { OutboundPolicy } from './outbound-policy.js';

// The URL part of the security review's hostile-input corpus (finding 3): every way of spelling an
// address the coordinator must not call, including names that resolve to one.

const resolvesTo =
  (...addresses: string[]) =>
  () =>
    Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
const nowhere = () => Promise.reject(Object.assign(new Error('unknown name'), { code: 'ENOTFOUND' }));

describe('hostile URLs', () => {
  const strict = new OutboundPolicy({ allow: [], lookup: nowhere });

  const literal = [
    'http://127.0.0.1:5432/',
    'http://127.1/',
    'http://2130706433/',
    'http://017700000001/',
    'http://0x7f000001/',
    'http://0.0.0.0:8081/',
    'http://[::1]/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1%25eth0]/',
    'http://10.0.0.1/',
    'http://192.168.1.1/',
    'http://172.16.0.1/',
    'http://hooks.example.com@127.0.0.1/',
    'file:///etc/passwd',
    'gopher://127.0.0.1:6379/_INFO',
    'ftp://hooks.example.com/x',
    'javascript:alert(1)',
    'not a url',
  ];
  for (const url of literal) {
    it(`refuses ${url}`, async () => {
      expect((await strict.resolve(url)).ok).toBe(false);
    });
  }

  for (const [name, addresses] of [
    ['a name resolving to loopback', ['127.0.0.1']],
    ['a name resolving to IPv6 loopback', ['::1']],
    ['a name resolving to a public and a loopback address', ['93.184.215.14', '127.0.0.1']],
    ['a name resolving to the cloud metadata address', ['169.254.169.254']],
  ] as const) {
    it(`refuses ${name}`, async () => {
      const policy = new OutboundPolicy({ allow: [], lookup: resolvesTo(...addresses) });
      expect((await policy.resolve('https://localtest.example.com/hook')).ok).toBe(false);
    });
  }

  it('admits a name that resolves to public addresses only (the corpus is refused for its address)', async () => {
    const policy = new OutboundPolicy({ allow: [], lookup: resolvesTo('93.184.215.14') });
    expect((await policy.resolve('https://hooks.example.com/hook')).ok).toBe(true);
  });
});
