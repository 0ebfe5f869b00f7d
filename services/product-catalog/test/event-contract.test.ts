import { randomUUID } from 'node:crypto';
import { signToken } from '@fv/service-kit';
import { createServiceRuntime } from '@fv/service-runtime';
import { eventSamples, expectContractKept, withFields } from '@fv/testing';
import { contractRuntimeForFile } from '@fv/testing/contract-suite';
import { describe, expect, it } from 'vitest';
import { productCatalogService } from '../src/service.js';

/**
 * Contract between the catalog's event handlers and the schemas of the events they consume: every
 * event a schema admits — random values, each optional field null, each collection empty — is handled,
 * or refused for the dead-letter topic by design, in a real transaction on the catalog's database.
 * A handler that relies on something the schema does not promise fails here, naming both sides.
 */
const secret = 'catalog-contract-secret-0123456789';
const admin = `Bearer ${signToken(secret, { sub: 'catalog-admin', roles: ['admin'], expiresIn: 600 })}`;

const contract = contractRuntimeForFile({
  service: 'product-catalog',
  create: (env) => createServiceRuntime(productCatalogService, { env }),
  consumers: (created) => productCatalogService.consumers!(created.context),
  env: { JWT_SECRET: secret },
});

async function createProduct(): Promise<string> {
  const response = await contract.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/products',
    headers: { authorization: admin },
    payload: {
      sku: `CONTRACT-${randomUUID().slice(0, 8)}`,
      name: 'Trail lantern',
      price: '19.90',
      currency: 'USD',
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { id: string }).id;
}

describe('contract: product-catalog and the schemas of the events it consumes', () => {
  it('consumes InventoryUpdated only (each consumed event has its contract test here)', () => {
    expect([...contract.consumers.keys()].sort()).toEqual(['InventoryUpdated']);
  });

  it('handles or refuses by design any InventoryUpdated its schema admits, about no product it has', async () => {
    await expectContractKept(contract.consumers.get('InventoryUpdated')!, eventSamples('InventoryUpdated'));
  });

  it('handles or refuses by design any InventoryUpdated its schema admits, about a product it has', async () => {
    const samples = [];
    for (const sample of eventSamples('InventoryUpdated', { seed: 2 })) {
      const productId = await createProduct();
      samples.push(
        withFields(sample, (event) => {
          event.productId = productId;
        }),
      );
    }
    const outcomes = await expectContractKept(contract.consumers.get('InventoryUpdated')!, samples);
    expect(outcomes.some((outcome) => outcome.result === 'handled')).toBe(true);
  });
});
