import { describe, expect, it } from 'vitest';
import { labelTrackingEventIdFor, shipmentIdFor } from './ids.js';

const id = '550e8400-e29b-41d4-a716-446655440000';

describe('ids', () => {
  it('derives one stable shipment id per order', () => {
    expect(shipmentIdFor(id)).toBe(shipmentIdFor(id));
    expect(shipmentIdFor(id)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(shipmentIdFor(id)).not.toBe(shipmentIdFor('660e8400-e29b-41d4-a716-446655440000'));
  });

  it('derives the first tracking event of a shipment apart from the shipment itself', () => {
    const shipmentId = shipmentIdFor(id);
    expect(labelTrackingEventIdFor(shipmentId)).toBe(labelTrackingEventIdFor(shipmentId));
    expect(labelTrackingEventIdFor(shipmentId)).not.toBe(shipmentId);
    expect(labelTrackingEventIdFor(shipmentId)).not.toBe(shipmentIdFor(shipmentId));
  });
});
