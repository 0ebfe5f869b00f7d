import type { EventHandler } from '@fv/messaging';
import { applyProductDeleted } from '../use-cases/update-price-list.js';
import { txOf } from './handler-origin.js';

export function onProductDeleted(): EventHandler<'ProductDeleted'> {
  return (event, context) => applyProductDeleted(txOf(context), event);
}
