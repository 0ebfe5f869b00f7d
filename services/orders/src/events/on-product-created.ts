import type { EventHandler } from '@fv/messaging';
import { applyProductEvent } from '../use-cases/update-price-list.js';
import { txOf } from './handler-origin.js';

export function onProductCreated(): EventHandler<'ProductCreated'> {
  return (event, context) => applyProductEvent(txOf(context), event);
}
