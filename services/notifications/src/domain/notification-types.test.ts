import { describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPES, humanize, variablesOf } from './notification-types.js';

const envelope = { eventId: 'e', occurredAt: 0, correlationId: 'o', causationId: null, producer: 't' };

describe('notification variables', () => {
  it('takes the variables of a shipment from its event, leaving out what the event lacks', () => {
    const vars = variablesOf.ShipmentDelivered({
      ...envelope,
      orderId: 'o-1',
      shipmentId: 's',
      trackingId: 'SIM1',
      carrier: 'SIMULATED',
      deliveredAt: Date.parse('2026-02-03T10:00:00Z'),
      signedBy: null,
    });
    expect(vars).toEqual({
      orderId: 'o-1',
      trackingId: 'SIM1',
      carrier: 'SIMULATED',
      deliveredAt: '2026-02-03',
    });
  });

  it('declares for every type only variables its event can provide', () => {
    for (const type of Object.values(NOTIFICATION_TYPES)) expect(type.variables).toContain('orderId');
    expect(humanize('PAYMENT_FAILED')).toBe('payment failed');
  });
});
