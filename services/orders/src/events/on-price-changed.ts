import type { EventHandler } from '@fv/messaging';
import { applyPriceChanged } from '../use-cases/update-price-list.js';

export function onPriceChanged(): EventHandler<'PriceChanged'> {
  return (event, context) => applyPriceChanged(context.tx, event);
}
