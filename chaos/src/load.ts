import { randomUUID } from 'node:crypto';
import { orderRequest } from '@fv/testing/platform-requests';
import { call, callSteadily } from './http.js';
import { money, toMinor } from './invariants.js';
import { Prng } from '@fv/testing';

export interface Product {
  productId: string;
  sku: string;
  price: string;
  initialOnHand: number;
  /** Set when its wh-001 location is replenished from the supplier: the low-stock threshold and reorder quantity. */
  replenishment: { threshold: number; reorderQuantity: number } | null;
}

export interface OrderLine {
  productId: string;
  quantity: number;
}

/** One part of a split payment: its card and its amount (decimal text). */
export interface PaymentPart {
  token: string;
  amount: string;
}

/** The promotion codes the run creates (`seedCoupons`) and what the orders are to expect of them. */
export interface CouponCodes {
  /** PERCENTAGE, `LIMITED_PERCENT` % off, usable `usageLimit` times in all: the orders race for it. */
  limited: { code: string; usageLimit: number };
  /** FIXED `OPEN_DISCOUNT` off any order of at least `OPEN_MINIMUM`, without a limit. */
  open: { code: string };
}

export const LIMITED_PERCENT = 10;
export const OPEN_DISCOUNT = '2.00';
export const OPEN_MINIMUM = '10.00';

/** Every COUPON_EVERY-th order (from the second) carries a code, the limited and the open one in turn. */
const COUPON_EVERY = 6;
/** Every SPLIT_EVERY-th order (from the fourth) pays with two cards. */
const SPLIT_EVERY = 6;

/** The code an order carries, and what it should give. */
export interface PlannedCoupon {
  code: string;
  /** Used up to a limit in all: an order may be refused it (COUPON_USAGE_LIMIT_REACHED) when others got it first. */
  limited: boolean;
  /** The discount its terms give the order's total, in minor units (0 when it is refused). */
  discountMinor: number;
  /** The rejection its terms give the order whatever the others do (COUPON_MINIMUM_NOT_MET); null: none. */
  rejection: string | null;
}

/** One order as the storefront tried to place it. */
export interface PlacedOrder {
  index: number;
  /** X-Idempotency-Key, also in the order's metadata (`chaosKey`) so the order can be found without an answer. */
  key: string;
  customerId: string;
  /**
   * The card whose answer decides the payment: the order's only card, or for a split payment the card of
   * its last part (the parts before it are approved cards).
   */
  card: string;
  /** A split payment's parts (their amounts add up to the total); null: one card. */
  parts: PaymentPart[] | null;
  coupon: PlannedCoupon | null;
  lines: OrderLine[];
  /** When the storefront first sent it, and when an attempt was accepted (epoch ms). */
  sentAt: number;
  acceptedAt: number | null;
  orderId: string | null;
  attempts: number;
  /** The last refusal or failure, when it was never accepted. */
  lastError: string | null;
}

export const APPROVED_CARD = 'tok_visa_4242';
export const DECLINED_CARD = 'tok_decline';
export const TRANSIENT_CARD = 'tok_transient_once';

/** The card of the n-th order (0-based): every fifth declined, every seventh (otherwise) failing once, else approved. */
export function cardFor(index: number): string {
  if (index % 5 === 4) return DECLINED_CARD;
  if (index % 7 === 3) return TRANSIENT_CARD;
  return APPROVED_CARD;
}

/** Cards the payment provider approves (at once or on a retry): such an order, with stock enough, should complete. */
export function isApprovedCard(card: string): boolean {
  return card === APPROVED_CARD || card === TRANSIENT_CARD;
}

/**
 * The order ships whatever the others do: an approved card, and no coupon that its terms refuse it or
 * that it races the others for.
 */
export function surelyShips(order: Pick<PlacedOrder, 'card' | 'coupon'>): boolean {
  return isApprovedCard(order.card) && !order.coupon?.limited && !order.coupon?.rejection;
}

/** Stock of a replenished location: a threshold, what is reordered under it, and what it starts with. */
export interface ReplenishedStock {
  threshold: number;
  reorderQuantity: number;
  initialOnHand: number;
}

/**
 * The stock of a replenished location for a load: orders take about `orders × 3 / products` units of a
 * product (1.5 lines of 2 units on average), so the threshold is a third of that (at least 30) and the
 * location starts a quarter of a reorder above it: orders drive it under again and again (about twice
 * per product in a full run). Each reorder (twice the threshold) lifts it well above the threshold even
 * when a fault held the purchase order up, so that the next fall under it raises the next alert. The
 * threshold is also the buffer that keeps orders served while a purchase order is on its way: a third of
 * a full run's demand lasts about 110 s, which covers the longest stretch a schedule can keep inventory
 * from reserving (a database outage, a cut and a kill in a row, about 60 s, whose queued orders then
 * arrive at once) and the supplier's delivery after it. A fifth (66 s) ran dry under seed 519197201.
 */
export function replenishedStock(orders: number, products: number): ReplenishedStock {
  const perProduct = (orders * 3) / products;
  const threshold = Math.max(30, Math.ceil(perProduct / 3));
  const reorderQuantity = threshold * 2;
  return { threshold, reorderQuantity, initialOnHand: threshold + Math.ceil(reorderQuantity / 4) };
}

/**
 * Products in the catalog, with stock in warehouse wh-001: enough for every order the run places, except
 * the first `replenished`, whose location is configured for replenishment from the supplier and starts
 * low (`replenishedStock`).
 */
export async function seedCatalog(options: {
  catalogUrl: string;
  inventoryUrl: string;
  admin: string;
  count: number;
  unitsEach: number;
  runId: string;
  replenished?: { count: number; stock: ReplenishedStock };
}): Promise<Product[]> {
  const products: Product[] = [];
  for (let i = 0; i < options.count; i += 1) {
    const sku = `CHAOS-${options.runId}-${i + 1}`;
    const price = `${(9 + i * 7) % 90}.${String((i * 37) % 100).padStart(2, '0')}`;
    const created = await callSteadily<{ id: string }>(
      'POST',
      `${options.catalogUrl}/api/v1/products`,
      options.admin,
      {
        body: { sku, name: `Chaos test product ${i + 1}`, price, currency: 'USD', status: 'ACTIVE' },
        headers: { 'x-idempotency-key': `chaos-product-${sku}` },
      },
    );
    if (created.status !== 201 && created.status !== 200)
      throw new Error(`creating product ${sku} answered ${created.status}: ${JSON.stringify(created.body)}`);
    const productId = created.body.id;
    const replenished =
      options.replenished && i < options.replenished.count ? options.replenished.stock : null;
    const onHand = replenished ? replenished.initialOnHand : options.unitsEach;
    const stocked = await callSteadily(
      'PUT',
      `${options.inventoryUrl}/api/v1/inventory/${productId}/locations/wh-001`,
      options.admin,
      { body: { onHand } },
    );
    if (stocked.status !== 201 && stocked.status !== 200)
      throw new Error(`stocking ${sku} answered ${stocked.status}: ${JSON.stringify(stocked.body)}`);
    if (replenished) {
      const configured = await callSteadily(
        'PUT',
        `${options.inventoryUrl}/api/v1/inventory/${productId}/locations/wh-001/replenishment`,
        options.admin,
        {
          body: {
            reorderQuantity: replenished.reorderQuantity,
            lowStockThreshold: replenished.threshold,
          },
        },
      );
      if (configured.status !== 200)
        throw new Error(
          `configuring the replenishment of ${sku} answered ${configured.status}: ${JSON.stringify(configured.body)}`,
        );
    }
    products.push({
      productId,
      sku,
      price,
      initialOnHand: onHand,
      replenishment: replenished
        ? { threshold: replenished.threshold, reorderQuantity: replenished.reorderQuantity }
        : null,
    });
  }
  return products;
}

/**
 * Creates the run's two promotion codes through the order service's admin API. The limited one can be
 * used by about half of the orders that try it, so some are refused at the limit while the declined
 * ones give their use back.
 */
export async function seedCoupons(options: {
  ordersUrl: string;
  admin: string;
  runId: string;
  orders: number;
}): Promise<CouponCodes> {
  const limitedOrders = Math.ceil(options.orders / (COUPON_EVERY * 2));
  const usageLimit = Math.max(2, Math.floor(limitedOrders / 2));
  const limited = `CHAOS-${options.runId}-LIMITED`.toUpperCase();
  const open = `CHAOS-${options.runId}-OPEN`.toUpperCase();
  await createCoupon(options, {
    code: limited,
    kind: 'PERCENTAGE',
    value: String(LIMITED_PERCENT),
    usageLimit,
  });
  await createCoupon(options, {
    code: open,
    kind: 'FIXED',
    value: OPEN_DISCOUNT,
    currency: 'USD',
    minimumOrderValue: OPEN_MINIMUM,
  });
  return { limited: { code: limited, usageLimit }, open: { code: open } };
}

async function createCoupon(
  options: { ordersUrl: string; admin: string },
  body: { code: string } & Record<string, unknown>,
): Promise<void> {
  const created = await callSteadily<{ error?: { details?: { reason?: string } } }>(
    'POST',
    `${options.ordersUrl}/api/v1/coupons`,
    options.admin,
    { body },
  );
  // A repeated request whose first answer was lost finds its code taken: the coupon exists.
  const taken = created.status === 409 && created.body.error?.details?.reason === 'COUPON_CODE_TAKEN';
  if (created.status !== 201 && !taken)
    throw new Error(
      `creating coupon ${body.code} answered ${created.status}: ${JSON.stringify(created.body)}`,
    );
}

/** What the order's lines cost at the products' prices, in minor units. */
function totalMinor(lines: OrderLine[], products: Product[]): number {
  const price = new Map(products.map((product) => [product.productId, toMinor(product.price)]));
  return lines.reduce((sum, line) => sum + (price.get(line.productId) ?? 0) * line.quantity, 0);
}

/** The coupon of the n-th order, and what its terms give the order's total. */
export function couponFor(index: number, total: number, codes: CouponCodes | null): PlannedCoupon | null {
  if (!codes || index % COUPON_EVERY !== 1) return null;
  if (Math.floor(index / COUPON_EVERY) % 2 === 0)
    return {
      code: codes.limited.code,
      limited: true,
      discountMinor: Math.floor((total * LIMITED_PERCENT) / 100),
      rejection: null,
    };
  const met = total >= toMinor(OPEN_MINIMUM);
  return {
    code: codes.open.code,
    limited: false,
    discountMinor: met ? Math.min(total, toMinor(OPEN_DISCOUNT)) : 0,
    rejection: met ? null : 'COUPON_MINIMUM_NOT_MET',
  };
}

/**
 * The payment parts of the n-th order: every SPLIT_EVERY-th pays with two cards, an approved one for
 * about 60% of the total and `card` (the order's card by `cardFor`) for the rest; null: one card.
 */
export function partsFor(index: number, total: number, card: string): PaymentPart[] | null {
  if (index % SPLIT_EVERY !== 3 || total < 2) return null;
  const first = Math.max(1, Math.min(total - 1, Math.round(total * 0.6)));
  return [
    { token: APPROVED_CARD, amount: money(first) },
    { token: card, amount: money(total - first) },
  ];
}

export interface LoadOptions {
  ordersUrl: string;
  /** Signs a customer token for a customer id. */
  customerToken: (customerId: string) => string;
  products: Product[];
  orders: number;
  ratePerSecond: number;
  /** How long the storefront keeps retrying one order before it gives up. */
  acceptDeadlineMs: number;
  random: Prng;
  runId: string;
  onAccepted?: (order: PlacedOrder) => void;
}

/** What each order will be: lines and card. Pure, from the seed. */
export function planOrders(
  options: Pick<LoadOptions, 'products' | 'orders' | 'random' | 'runId'> & {
    /** The run's promotion codes; null: no order carries one. */
    coupons?: CouponCodes | null;
  },
): PlacedOrder[] {
  return Array.from({ length: options.orders }, (_, index) => {
    const lineCount = options.random.int(1, Math.min(2, options.products.length));
    const products = options.random.shuffle(options.products).slice(0, lineCount);
    const lines = products.map((product) => ({
      productId: product.productId,
      quantity: options.random.int(1, 3),
    }));
    const total = totalMinor(lines, options.products);
    const card = cardFor(index);
    const coupon = couponFor(index, total, options.coupons ?? null);
    return {
      index,
      key: `chaos-${options.runId}-${index + 1}`,
      customerId: randomUUID(),
      card,
      parts: coupon ? null : partsFor(index, total, card),
      coupon,
      lines,
      sentAt: 0,
      acceptedAt: null,
      orderId: null,
      attempts: 0,
      lastError: null,
    };
  });
}

/**
 * Places the orders at a steady rate (open loop: the n-th order leaves at n / rate whatever the earlier ones
 * are doing). Each is retried with the same idempotency key while it is refused for a passing reason
 * (no answer, 5xx, 429, a product the order service does not know yet) until accepted or its deadline.
 */
export async function runLoad(options: LoadOptions, orders: PlacedOrder[]): Promise<void> {
  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  for (const order of orders) {
    const due = started + (order.index * 1000) / options.ratePerSecond;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(placeOne(options, order));
  }
  await Promise.all(inFlight);
}

async function placeOne(options: LoadOptions, order: PlacedOrder): Promise<void> {
  order.sentAt = Date.now();
  const deadline = order.sentAt + options.acceptDeadlineMs;
  const token = options.customerToken(order.customerId);
  const body = {
    ...orderRequest({
      items: order.lines.map((line) => ({ ...line, warehouseId: 'wh-001' })),
      customerEmail: `customer-${order.index + 1}@example.com`,
      // A split payment's parts replace the single card.
      cardToken: order.parts ? null : order.card,
    }),
    ...(order.parts ? { paymentMethods: order.parts.map((part) => ({ type: 'CREDIT_CARD', ...part })) } : {}),
    ...(order.coupon ? { couponCode: order.coupon.code } : {}),
    metadata: { chaosKey: order.key, chaosRun: options.runId },
  };
  for (;;) {
    order.attempts += 1;
    try {
      const answer = await call<{
        orderId?: string;
        error?: { code?: string; details?: { reason?: string } };
      }>('POST', `${options.ordersUrl}/api/v1/orders`, token, {
        body,
        headers: { 'x-idempotency-key': order.key },
        timeoutMs: 15_000,
      });
      // 202 Accepted is the order service's answer to POST /orders (seed 003); 201 that of an older one.
      if ([200, 201, 202].includes(answer.status) && answer.body.orderId) {
        order.orderId = answer.body.orderId;
        order.acceptedAt = Date.now();
        order.lastError = null;
        options.onAccepted?.(order);
        return;
      }
      const reason = answer.body.error?.details?.reason ?? answer.body.error?.code ?? '';
      order.lastError = `${answer.status} ${reason}`.trim();
      const passing =
        answer.status >= 500 ||
        answer.status === 429 ||
        (answer.status === 422 && reason === 'UNKNOWN_PRODUCT');
      if (!passing) return; // a refusal for good: the suite's own request is wrong, reported as not accepted
    } catch (error) {
      order.lastError = (error as Error).message;
    }
    if (Date.now() >= deadline) return;
    const backoff = Math.min(3000, 250 * 2 ** Math.min(order.attempts, 4)) * (0.5 + Math.random());
    await new Promise((resolve) => setTimeout(resolve, backoff));
  }
}
