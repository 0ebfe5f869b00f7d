import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Which URLs the coordination service calls on a caller's behalf (webhook deliveries, health probes).
 * Callers choose those URLs, and the outcome of each call is readable (delivery records, health
 * history), so without a policy the service would probe its own network for them: loopback, the cloud
 * metadata address, the database port. The policy refuses, unless the allow-list names them:
 *
 * - schemes other than http and https;
 * - loopback, link-local, private, shared (CGNAT), unspecified, multicast, documentation and other
 *   special-purpose addresses, IPv4 and IPv6, IPv4-mapped / -compatible / 6to4 / NAT64 IPv6 forms
 *   judged by the IPv4 address they carry (decimal, octal and hex IPv4 spellings are normalised by
 *   the URL parser before this sees them);
 * - names that resolve to such an address (`localhost` and `*.localhost` always do).
 *
 * A call resolves the name once, checks every address and connects to the checked one, so a DNS
 * answer that changes between the check and the connection changes nothing. Redirects are never
 * followed: a 3xx is the answer.
 */

/** Why an address is not called. */
export type AddressCategory =
  'loopback' | 'link-local' | 'private' | 'unspecified' | 'multicast' | 'reserved';

const IPV4_RANGES: [string, number, AddressCategory][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const IPV6_RANGES: [string, number, AddressCategory][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['100::', 64, 'reserved'],
  ['2001:db8::', 32, 'reserved'],
  ['fc00::', 7, 'private'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'private'],
  ['ff00::', 8, 'multicast'],
];

function rangeLists(): Map<AddressCategory, BlockList> {
  const lists = new Map<AddressCategory, BlockList>();
  const add = (address: string, prefix: number, category: AddressCategory, family: 'ipv4' | 'ipv6') => {
    let list = lists.get(category);
    if (!list) lists.set(category, (list = new BlockList()));
    list.addSubnet(address, prefix, family);
  };
  for (const [address, prefix, category] of IPV4_RANGES) add(address, prefix, category, 'ipv4');
  for (const [address, prefix, category] of IPV6_RANGES) add(address, prefix, category, 'ipv6');
  return lists;
}

const RANGES = rangeLists();

/** The eight 16-bit groups of an IPv6 address (with or without an embedded dotted IPv4 tail). */
function ipv6Groups(address: string): number[] | null {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    if (isIP(last) !== 4) return null;
    const octets = last.split('.').map(Number);
    tail = [(octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!];
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  const groups = [...head, ...Array<number>(Math.max(fill, 0)).fill(0), ...rest];
  if (groups.length !== 8 || groups.some((group) => Number.isNaN(group) || group < 0 || group > 0xffff))
    return null;
  if (tail.length) groups.splice(6, 2, ...tail);
  return groups;
}

const ipv4Of = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/**
 * The IPv4 address an IPv6 address carries, when it is one of the forms that reach an IPv4 host:
 * IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and 6to4
 * (`2002:aabb:ccdd::`).
 */
export function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  if (!g) return null;
  const zeros = (from: number, to: number) => g.slice(from, to).every((group) => group === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return ipv4Of(g[6]!, g[7]!);
  if (zeros(0, 6) && (g[6] !== 0 || g[7]! > 1)) return ipv4Of(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return ipv4Of(g[6]!, g[7]!);
  if (g[0] === 0x2002) return ipv4Of(g[1]!, g[2]!);
  return null;
}

/** The special-purpose category of an address, or null for an ordinary (public) one. */
export function categorize(address: string): AddressCategory | null {
  const family = isIP(address);
  if (family === 0) return 'reserved';
  if (family === 6) {
    const carried = embeddedIpv4(address);
    if (carried) {
      const category = categorize(carried);
      if (category) return category;
    }
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [category, list] of RANGES) {
    if (list.check(address, type)) return category;
  }
  return null;
}

/** One allow-list entry: a host name, an IP address or a CIDR range, optionally limited to one port. */
interface AllowEntry {
  name: string | null;
  addresses: BlockList | null;
  port: number | null;
}

const NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

function addressEntry(address: string, prefix: number | null, port: number | null): AllowEntry | null {
  const family = isIP(address);
  if (family === 0) return null;
  const max = family === 4 ? 32 : 128;
  const bits = prefix ?? max;
  if (!Number.isInteger(bits) || bits < 0 || bits > max) return null;
  const list = new BlockList();
  list.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
  return { name: null, addresses: list, port };
}

function parsePort(text: string): number | null | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** Reads one allow-list entry; null when it is not one of the accepted forms. */
export function parseAllowEntry(raw: string): AllowEntry | null {
  const entry = raw.trim();
  if (entry.includes('/')) {
    const [address, prefix] = entry.split('/');
    if (!address || !prefix || !/^\d{1,3}$/.test(prefix)) return null;
    return addressEntry(address, Number(prefix), null);
  }
  if (isIP(entry)) return addressEntry(entry, null, null);
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d+))?$/i.exec(entry);
  if (bracketed) {
    const port = bracketed[2] === undefined ? null : parsePort(bracketed[2]);
    return port === undefined ? null : addressEntry(bracketed[1]!, null, port);
  }
  const withPort = /^([^:]+):(\d+)$/.exec(entry);
  const host = withPort ? withPort[1]! : entry;
  const port = withPort ? parsePort(withPort[2]!) : null;
  if (port === undefined) return null;
  if (isIP(host) === 4) return addressEntry(host, null, port);
  if (!NAME.test(host) || /^[\d.]+$/.test(host)) return null;
  return { name: host.toLowerCase().replace(/\.$/, ''), addresses: null, port };
}

/** Loopback only: what local development (`npm start`, the tests) registers its services on. */
export const LOCAL_DEVELOPMENT_ALLOW_LIST = ['127.0.0.0/8', '::1'] as const;

export type ResolvedTarget = { ok: true; url: URL; address: string; family: 4 | 6 };
export type Refusal = { ok: false; reason: string; category: AddressCategory | 'scheme' | 'unresolved' };

export type Lookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface OutboundPolicyOptions {
  /** Allow-list entries (host names, IP addresses, CIDR ranges, each optionally `:port`). */
  allow: readonly string[];
  /** Name resolution (the system resolver by default). */
  lookup?: Lookup;
}

const DESCRIPTION: Record<AddressCategory, string> = {
  loopback: 'a loopback address',
  'link-local': 'a link-local address',
  private: 'a private-network address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
};

export class OutboundPolicy {
  private readonly entries: AllowEntry[];
  private readonly lookup: Lookup;

  constructor(options: OutboundPolicyOptions) {
    this.entries = options.allow.map((raw) => {
      const entry = parseAllowEntry(raw);
      if (!entry) throw new Error(`not a host name, IP address or CIDR range: ${raw}`);
      return entry;
    });
    this.lookup = options.lookup ?? systemLookup;
  }

  private nameAllowed(name: string, port: number): boolean {
    return this.entries.some((entry) => entry.name === name && (entry.port === null || entry.port === port));
  }

  private addressAllowed(address: string, port: number): boolean {
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    const carried = family === 'ipv6' ? embeddedIpv4(address) : null;
    return this.entries.some(
      (entry) =>
        entry.addresses !== null &&
        (entry.port === null || entry.port === port) &&
        (entry.addresses.check(address, family) ||
          (carried !== null && entry.addresses.check(carried, 'ipv4'))),
    );
  }

  /** Refusal of one address, or null when it may be called. */
  private judgeAddress(address: string, port: number): Refusal | null {
    const category = categorize(address);
    if (category === null || this.addressAllowed(address, port)) return null;
    return {
      ok: false,
      category,
      reason: `points at ${DESCRIPTION[category]} (${address}), which this service does not call unless OUTBOUND_ALLOW_HOSTS allows it`,
    };
  }

  /**
   * Resolves the URL's host and checks every address it resolves to. A name that does not resolve is
   * refused with `unresolved` (the caller decides whether that is final).
   */
  async resolve(raw: string | URL): Promise<ResolvedTarget | Refusal> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { ok: false, category: 'scheme', reason: 'must be an absolute http(s) URL' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { ok: false, category: 'scheme', reason: 'must be an absolute http(s) URL' };
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const literal = isIP(host);
    if (literal) {
      const refused = this.judgeAddress(host, port);
      return refused ?? { ok: true, url, address: host, family: literal as 4 | 6 };
    }
    const name = host.replace(/\.$/, '');
    let addresses: { address: string; family: number }[];
    if (name === 'localhost' || name.endsWith('.localhost')) {
      // RFC 6761: always loopback, whatever a resolver says.
      addresses = [
        { address: '127.0.0.1', family: 4 },
        { address: '::1', family: 6 },
      ];
    } else {
      try {
        addresses = await this.lookup(name);
      } catch (error) {
        const code = (error as { code?: string }).code ?? (error as Error).message;
        return { ok: false, category: 'unresolved', reason: `host ${name} does not resolve (${code})` };
      }
      if (addresses.length === 0)
        return { ok: false, category: 'unresolved', reason: `host ${name} does not resolve` };
    }
    if (!this.nameAllowed(name, port)) {
      for (const { address } of addresses) {
        const refused = this.judgeAddress(address, port);
        if (refused)
          return {
            ...refused,
            reason: `resolves to ${DESCRIPTION[refused.category as AddressCategory]} (${address}), which this service does not call unless OUTBOUND_ALLOW_HOSTS allows it`,
          };
      }
    }
    const first = addresses[0]!;
    return { ok: true, url, address: first.address, family: first.family === 6 ? 6 : 4 };
  }

  /**
   * The check made when a URL is stored (a registration, a webhook subscription): refused when it is
   * not http(s) or points at an address the policy refuses; a name that does not resolve yet passes
   * (each call checks again).
   */
  async admit(raw: string): Promise<Refusal | null> {
    const result = await this.resolve(raw);
    if (result.ok || result.category === 'unresolved') return null;
    return result;
  }
}

/** The policy of a configuration: its allow-list, or loopback only in local development. */
export function outboundPolicyOf(
  config: { NODE_ENV: string; OUTBOUND_ALLOW_HOSTS?: readonly string[] | undefined },
  lookup?: Lookup,
): OutboundPolicy {
  const allow =
    config.OUTBOUND_ALLOW_HOSTS ??
    (config.NODE_ENV === 'development' || config.NODE_ENV === 'test' ? LOCAL_DEVELOPMENT_ALLOW_LIST : []);
  return new OutboundPolicy({ allow, ...(lookup ? { lookup } : {}) });
}
