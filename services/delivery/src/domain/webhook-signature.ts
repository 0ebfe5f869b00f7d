import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Carrier webhooks are signed like this: header `X-Carrier-Signature: t=<unix seconds>,v1=<hex>`,
 * where v1 is HMAC-SHA256(secret, `<t>.<raw request body>`). The timestamp bounds replays.
 */
export const SIGNATURE_HEADER = 'x-carrier-signature';

export function signWebhook(secret: string, timestampSeconds: number, rawBody: string | Buffer): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

export type SignatureCheck =
  | { valid: true }
  | { valid: false; reason: 'MALFORMED' | 'TIMESTAMP_OUT_OF_TOLERANCE' | 'MISMATCH'; message: string };

export function verifyWebhookSignature(input: {
  secret: string;
  header: string;
  rawBody: Buffer;
  nowSeconds: number;
  toleranceSeconds: number;
}): SignatureCheck {
  const parts = new Map<string, string[]>();
  for (const part of input.header.split(',')) {
    const [name, ...rest] = part.trim().split('=');
    if (!name || rest.length === 0) continue;
    parts.set(name, [...(parts.get(name) ?? []), rest.join('=')]);
  }
  const timestamp = parts.get('t')?.[0];
  const signatures = parts.get('v1') ?? [];
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) {
    return {
      valid: false,
      reason: 'MALFORMED',
      message: 'the signature header must look like t=<unix seconds>,v1=<hex HMAC-SHA256>',
    };
  }
  const t = Number(timestamp);
  if (Math.abs(input.nowSeconds - t) > input.toleranceSeconds) {
    return {
      valid: false,
      reason: 'TIMESTAMP_OUT_OF_TOLERANCE',
      message: `the signature timestamp is more than ${input.toleranceSeconds} s away from the current time`,
    };
  }
  const expected = createHmac('sha256', input.secret).update(`${t}.`).update(input.rawBody).digest();
  const matches = signatures.some((candidate) => {
    if (!/^[0-9a-f]{64}$/i.test(candidate)) return false;
    return timingSafeEqual(Buffer.from(candidate, 'hex'), expected);
  });
  return matches
    ? { valid: true }
    : { valid: false, reason: 'MISMATCH', message: 'the signature does not match the request body' };
}
