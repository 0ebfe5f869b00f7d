import type { EventHandler } from '@fv/messaging';
import { applyPriceChanged } from '../use-cases/update-price-list.js';
import { txOf } from './handler-origin.js';

export function onPriceChanged(): EventHandler<'PriceChanged'> {
  return (event, context) => applyPriceChanged(txOf(context), event);
}
