import { EXAMPLE_SHIPPING_ADDRESS } from '@fv/contracts/fixtures';
import { describe, expect, it } from 'vitest';
import { CarrierRejectedError, type LabelRequest } from './carrier.js';
import { SimulatedCarrier, simulatedLabelNumber, simulatedTrackingId } from './simulated-carrier.js';

const carrier = new SimulatedCarrier({
  supportedCountries: ['US', 'CA'],
  publicBaseUrl: 'http://delivery.test/',
});
const orderId = '550e8400-e29b-41d4-a716-446655440000';
const request: LabelRequest = {
  orderId,
  shipmentId: '11111111-1111-5111-8111-111111111111',
  serviceLevel: 'EXPRESS',
  requestedAt: new Date('2026-01-10T10:00:00Z'),
  address: { ...EXAMPLE_SHIPPING_ADDRESS },
};

describe('simulated carrier', () => {
  it('creates the same label for the same order, and another for another order', async () => {
    const first = await carrier.createLabel(request);
    const again = await carrier.createLabel({ ...request, requestedAt: new Date() });
    expect(first.labelNumber).toMatch(/^FV\d{12}$/);
    expect(first.trackingId).toMatch(/^SIM[0-9A-F]{16}$/);
    expect(again.labelNumber).toBe(first.labelNumber);
    expect(again.trackingId).toBe(first.trackingId);
    expect(simulatedLabelNumber('660e8400-e29b-41d4-a716-446655440000')).not.toBe(first.labelNumber);
    expect(simulatedTrackingId('660e8400-e29b-41d4-a716-446655440000')).not.toBe(first.trackingId);
    expect(first).toMatchObject({
      carrier: 'SIMULATED',
      serviceLevel: 'EXPRESS',
      labelUrl: `http://delivery.test/api/v1/shipments/${request.shipmentId}/label`,
      estimatedDeliveryAt: new Date('2026-01-12T10:00:00Z'),
    });
  });

  it('refuses destinations outside its countries', async () => {
    const rejected = carrier.createLabel({ ...request, address: { ...request.address, country: 'BR' } });
    await expect(rejected).rejects.toBeInstanceOf(CarrierRejectedError);
    await expect(rejected).rejects.toMatchObject({
      code: 'SERVICE_NOT_AVAILABLE',
      field: 'shippingAddress.country',
    });
  });

  it('refuses malformed addresses and unknown service levels', async () => {
    await expect(
      carrier.createLabel({ ...request, address: { ...request.address, zipCode: 'ABC' } }),
    ).rejects.toMatchObject({
      code: 'ADDRESS_INVALID',
      field: 'shippingAddress.zipCode',
    });
    await expect(
      carrier.createLabel({ ...request, address: { ...request.address, street: ' ' } }),
    ).rejects.toMatchObject({
      code: 'ADDRESS_INVALID',
    });
    await expect(carrier.createLabel({ ...request, serviceLevel: 'TELEPORT' })).rejects.toMatchObject({
      code: 'SERVICE_NOT_AVAILABLE',
    });
  });
});
