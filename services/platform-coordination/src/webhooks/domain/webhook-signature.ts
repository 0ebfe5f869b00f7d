import { createHmac, timingSafeEqual } from 'node:crypto';
import { backoffDelay } from '@fv/resilience';

/** The event types a subscription may ask for (seed 001). */
export const WEBHOOK_EVENT_TYPES = [
  'workflow.started',
  'workflow.step.completed',
  'workflow.completed',
  'workflow.failed',
  'workflow.cancelled',
  'saga.compensating',
  'saga.compensated',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const SIGNATURE_HEADER = 'x-fv-signature';

/** `sha256=<hex HMAC-SHA256 of the raw body with the subscription's secret>`, as GitHub signs its webhooks. */
export function signPayload(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Checks a signature header against the body (constant time). */
export function verifySignature(secret: string, body: string, header: string): boolean {
  const expected = Buffer.from(signPayload(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Delay before attempt `attempt + 1`: initial · multiplier^(attempt−1), capped, with equal jitter (between
 * half of it and all of it) so that deliveries failing together are not retried together.
 */
export function backoffMs(
  attempt: number,
  policy: { initialIntervalMs: number; backoffMultiplier: number; maxIntervalMs: number },
  random: () => number = Math.random,
): number {
  return backoffDelay(
    attempt - 1,
    {
      initialMs: policy.initialIntervalMs,
      maxMs: policy.maxIntervalMs,
      multiplier: policy.backoffMultiplier,
    },
    random,
  );
}
