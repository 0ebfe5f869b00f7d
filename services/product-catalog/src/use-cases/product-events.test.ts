import { validateEvent } from '@fv/contracts';
import { setupSample } from '@fv/testing';
import { describe, expect, it } from 'vitest';
import type { ProductView } from '../db/products.js';
import { productEventState } from './product-events.js';

const view: ProductView = {
  id: '0b8e7d1c-4f5a-4c3b-9a2d-1e0f9c8b7a65',
  sku: 'LAMP-1',
  name: 'Desk lamp',
  description: null,
  categoryId: null,
  price: '49.50',
  currency: 'USD',
  status: 'ACTIVE',
  attributes: { color: 'black' },
  variants: [{ id: 'v-1', sku: 'LAMP-1-W', name: 'White', attributes: { color: 'white' } }],
  stockStatus: 'IN_STOCK',
  availableQuantity: 12,
  stockUpdatedAt: '2026-04-01T10:00:00.000Z',
  version: 3,
  createdAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-04-01T10:00:00.000Z',
};

describe('the product state product events carry', () => {
  it('is what an administrator edits, keyed by product id, without stock, variants or versions', () => {
    expect(productEventState(view)).toEqual({
      productId: view.id,
      sku: 'LAMP-1',
      name: 'Desk lamp',
      description: null,
      categoryId: null,
      price: '49.50',
      currency: 'USD',
      status: 'ACTIVE',
      attributes: { color: 'black' },
    });
  });

  it('is accepted by the ProductCreated and ProductUpdated schemas, with or without a category and description', () => {
    const envelope = setupSample('ProductCreated').event;
    for (const product of [view, { ...view, description: 'Warm light', categoryId: 'c-1', attributes: {} }]) {
      const state = productEventState(product);
      expect(validateEvent('ProductCreated', { ...envelope, ...state })).toEqual([]);
      const updated = setupSample('ProductUpdated').event;
      expect(validateEvent('ProductUpdated', { ...updated, ...state, changedFields: ['price'] })).toEqual([]);
    }
  });
});
