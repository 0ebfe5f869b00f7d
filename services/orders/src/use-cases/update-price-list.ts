import type { EventMap } from '@fv/contracts';
import { NonRetriableError } from '@fv/messaging';
import { parseId } from '@fv/service-kit';
import {
  currencyExponent,
  MAX_SUPPORTED_EXPONENT,
  MoneyFormatError,
  normalizeAmount,
} from '../domain/money.js';
import type { Db } from '../db/orders-store.js';
import { applyDeletion, applyPrice, applyProductState } from '../db/price-list-store.js';

function productIdOf(raw: string): string {
  const id = parseId(raw, 'prod');
  if (id === null) throw new NonRetriableError(`"${raw}" is not a product id`, 'INVALID_PRODUCT_ID');
  return id;
}

/** The price as stored, or a non-retriable error: a price the order service cannot hold is never valid later. */
function priceOf(price: string, currency: string, productId: string): string {
  if (!/^[A-Z]{3}$/.test(currency) || currencyExponent(currency) > MAX_SUPPORTED_EXPONENT) {
    throw new NonRetriableError(
      `product ${productId} is priced in ${currency}, a currency amounts cannot be stored in`,
      'INVALID_PRICE',
    );
  }
  try {
    return normalizeAmount(price, currency);
  } catch (error) {
    if (error instanceof MoneyFormatError) {
      throw new NonRetriableError(
        `price of product ${productId} is invalid: ${error.message}`,
        'INVALID_PRICE',
      );
    }
    throw error;
  }
}

/** ProductCreated and ProductUpdated carry the product's whole state. */
export async function applyProductEvent(
  tx: Db,
  event: EventMap['ProductCreated'] | EventMap['ProductUpdated'],
): Promise<void> {
  const productId = productIdOf(event.productId);
  await applyProductState(tx, {
    productId,
    sku: event.sku,
    name: event.name,
    price: priceOf(event.price, event.currency, productId),
    currency: event.currency,
    status: event.status,
    occurredAt: new Date(event.occurredAt),
  });
}

export async function applyPriceChanged(tx: Db, event: EventMap['PriceChanged']): Promise<void> {
  const productId = productIdOf(event.productId);
  await applyPrice(tx, {
    productId,
    sku: event.sku,
    price: priceOf(event.newPrice, event.currency, productId),
    currency: event.currency,
    occurredAt: new Date(event.occurredAt),
  });
}

export async function applyProductDeleted(tx: Db, event: EventMap['ProductDeleted']): Promise<void> {
  await applyDeletion(tx, {
    productId: productIdOf(event.productId),
    sku: event.sku,
    occurredAt: new Date(event.occurredAt),
  });
}
