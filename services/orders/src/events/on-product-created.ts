import type { EventHandler } from '@fv/messaging';
import { applyProductEvent } from '../use-cases/update-price-list.js';

export function onProductCreated(): EventHandler<'ProductCreated'> {
  return (event, context) => applyProductEvent(context.tx, event);
}
