import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './webhook-signature.js';

const secret = 'carrier-secret-0123456789';
const body = Buffer.from('{"trackingId":"SIM1"}');

describe('webhook signatures', () => {
  it('accepts a signature made with the shared secret', () => {
    const header = signWebhook(secret, 1_000, body);
    expect(
      verifyWebhookSignature({ secret, header, rawBody: body, nowSeconds: 1_100, toleranceSeconds: 300 }),
    ).toEqual({ valid: true });
  });

  it('refuses another body, another secret, an old timestamp and a malformed header', () => {
    const header = signWebhook(secret, 1_000, body);
    const check = (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
      verifyWebhookSignature({
        secret,
        header,
        rawBody: body,
        nowSeconds: 1_000,
        toleranceSeconds: 300,
        ...overrides,
      });
    expect(check({ rawBody: Buffer.from('{"trackingId":"SIM2"}') })).toMatchObject({
      valid: false,
      reason: 'MISMATCH',
    });
    expect(check({ secret: 'another-secret-0123456789' })).toMatchObject({
      valid: false,
      reason: 'MISMATCH',
    });
    expect(check({ nowSeconds: 1_301 })).toMatchObject({
      valid: false,
      reason: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    expect(check({ header: 'sha256=abc' })).toMatchObject({ valid: false, reason: 'MALFORMED' });
    expect(check({ header: 't=1000,v1=zz' })).toMatchObject({ valid: false, reason: 'MISMATCH' });
  });
});
