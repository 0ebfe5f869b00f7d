import type { EventHandler } from '@fv/messaging';
import { applyProductDeleted } from '../use-cases/update-price-list.js';

export function onProductDeleted(): EventHandler<'ProductDeleted'> {
  return (event, context) => applyProductDeleted(context.tx, event);
}
