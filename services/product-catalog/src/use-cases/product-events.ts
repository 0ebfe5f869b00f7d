import type { EventPayload } from '@fv/contracts';
import type { ProductView } from '../db/products.js';

/** The product state every ProductCreated and ProductUpdated carries. */
export function productEventState(view: ProductView): EventPayload<'ProductCreated'> {
  return {
    productId: view.id,
    sku: view.sku,
    name: view.name,
    description: view.description,
    categoryId: view.categoryId,
    price: view.price,
    currency: view.currency,
    status: view.status,
    attributes: view.attributes,
  };
}
