import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '@fv/database';
import type { OrderOptions } from '@fv/contracts';
import {
  AppError,
  insufficientPermissions,
  invalidFields,
  isStaff,
  parseId,
  type FieldIssue,
  type Principal,
  type SchemaType,
} from '@fv/service-kit';
import type { IdempotentAnswer, IdempotentResult } from '@fv/service-runtime';
import { customerIdOf } from '../domain/caller.js';
import { normalizeCouponCode } from '../domain/coupon-rules.js';
import { decimalText, fromMinorUnits, MoneyFormatError, toMinorUnits } from '../domain/money.js';
import { priceOrder, type PricingResult, type RequestedLine } from '../domain/pricing.js';
import { findOrder, insertOrder, type Db, type OrderRow } from '../db/orders-store.js';
import { findPrices } from '../db/price-list-store.js';
import type { placeOrderBody } from '../routes/order-schemas.js';
import { idempotentRequest } from './idempotent-request.js';
import { eventItems, toOrderView, type OrderView } from './order-view.js';
import type { OrdersDeps } from './orders-deps.js';

/**
 * The body of POST /orders as its schema describes it: a client-chosen `orderId` or none, one
 * `paymentMethod` or a split payment's `paymentMethods` (never both), an optional coupon code.
 */
export type PlaceOrderInput = SchemaType<ReturnType<typeof placeOrderBody>>;

function customerOf(caller: Principal, requested: string | undefined): string {
  if (isStaff(caller)) {
    if (requested === undefined) {
      throw invalidFields([
        {
          field: 'body.customerId',
          rule: 'required',
          message: 'is required when ordering on behalf of a customer',
        },
      ]);
    }
    return parseId(requested, 'cust')!;
  }
  const own = customerIdOf(caller);
  if (own === null)
    throw insufficientPermissions('The token subject is not a customer id, so it cannot place orders');
  if (requested !== undefined && parseId(requested, 'cust') !== own) {
    throw insufficientPermissions('Customers can only place orders for themselves', {
      field: 'body.customerId',
    });
  }
  return own;
}

function currencyOf(input: PlaceOrderInput): string {
  const currency = input.currency ?? input.paymentMethod?.currency;
  if (currency === undefined) {
    throw invalidFields([
      { field: 'body.currency', rule: 'required', message: 'is required (or paymentMethod.currency)' },
    ]);
  }
  if (
    input.currency !== undefined &&
    input.paymentMethod?.currency !== undefined &&
    input.currency !== input.paymentMethod.currency
  ) {
    throw invalidFields([
      {
        field: 'body.paymentMethod.currency',
        rule: 'const',
        message: `must equal currency ${input.currency}`,
      },
    ]);
  }
  return currency;
}

/** Decimal text of an amount in the request, or the field issue that says what is wrong with it. */
function amountText(value: string | number, currency: string, field: string): string | FieldIssue {
  try {
    const text = decimalText(value);
    toMinorUnits(text, currency);
    return text;
  } catch (error) {
    if (error instanceof MoneyFormatError) return { field, rule: error.rule, message: error.message };
    throw error;
  }
}

function requestedLines(input: PlaceOrderInput, currency: string): RequestedLine[] {
  const issues: FieldIssue[] = [];
  const seen = new Map<string, number>();
  const lines = input.items.map((item, index): RequestedLine => {
    const productId = parseId(item.productId, 'prod')!;
    const first = seen.get(productId);
    if (first !== undefined) {
      issues.push({
        field: `body.items[${index}].productId`,
        rule: 'unique',
        message: `repeats the product of items[${first}]; order it once with the total quantity`,
      });
    }
    seen.set(productId, index);
    let unitPrice: string | null = null;
    if (item.unitPrice !== undefined) {
      const text = amountText(item.unitPrice, currency, `body.items[${index}].unitPrice`);
      if (typeof text === 'string') unitPrice = text;
      else issues.push(text);
    }
    return { productId, quantity: item.quantity, unitPrice, warehouseId: item.warehouseId ?? null };
  });
  if (issues.length > 0) throw invalidFields(issues);
  return lines;
}

/** The payment a request asks for: see `paymentOf`. */
interface RequestedPayment {
  type: string;
  token: string;
  declaredAmount: string | null;
  parts: { type: string; token: string; amount: string }[] | null;
}

/**
 * The payment of the request: one method, or a split payment's parts (each amount above zero, in the
 * currency's decimals). For a split payment the order's method type and token are the first part's
 * (what PaymentProcessed and OrderCreated name) and the declared amount is the parts' sum.
 */
function paymentOf(input: PlaceOrderInput, currency: string): RequestedPayment {
  if (input.paymentMethod && input.paymentMethods) {
    throw invalidFields([
      {
        field: 'body.paymentMethods',
        rule: 'not',
        message: 'send either paymentMethod or paymentMethods, not both',
      },
    ]);
  }
  if (input.paymentMethod) {
    const method = input.paymentMethod;
    const declared =
      method.amount === undefined ? null : amountText(method.amount, currency, 'body.paymentMethod.amount');
    if (declared !== null && typeof declared !== 'string') throw invalidFields([declared]);
    return { type: method.type, token: method.token, declaredAmount: declared, parts: null };
  }
  if (!input.paymentMethods) {
    throw invalidFields([
      { field: 'body.paymentMethod', rule: 'required', message: 'is required (or paymentMethods)' },
    ]);
  }
  const issues: FieldIssue[] = [];
  const parts = input.paymentMethods.map((part, index) => {
    const field = `body.paymentMethods[${index}].amount`;
    const text = amountText(part.amount, currency, field);
    if (typeof text !== 'string') issues.push(text);
    else if (toMinorUnits(text, currency) <= 0n)
      issues.push({ field, rule: 'exclusiveMinimum', message: 'must be above zero' });
    return { type: part.type, token: part.token, amount: typeof text === 'string' ? text : '0' };
  });
  if (issues.length > 0) throw invalidFields(issues);
  const sum = parts.reduce((total, part) => total + toMinorUnits(part.amount, currency), 0n);
  return {
    type: parts[0]!.type,
    token: parts[0]!.token,
    declaredAmount: fromMinorUnits(sum, currency),
    parts,
  };
}

/**
 * The answer to a placed order: 202 Accepted (seed 003), the order stored PENDING while its saga runs on
 * its own. A replay answers the same.
 */
export const ORDER_ACCEPTED = 202;

/**
 * A placement answered as accepted. Answers stored under an idempotency key before POST /orders answered
 * 202 say 201; replayed within IDEMPOTENCY_KEY_TTL_HOURS, they answer 202 like the placement they repeat.
 */
function accepted(result: IdempotentResult<OrderView>): IdempotentResult<OrderView> {
  return result.statusCode === 201 ? { ...result, statusCode: ORDER_ACCEPTED } : result;
}

const DEFAULT_OPTIONS: OrderOptions = {
  priority: 'NORMAL',
  requireSignature: false,
  giftWrap: false,
  expressProcessing: false,
};

/** A placement checked before its transaction: who orders, in which currency, which lines, how paid. */
interface Placement {
  input: PlaceOrderInput;
  customerId: string;
  currency: string;
  lines: RequestedLine[];
  payment: RequestedPayment;
  traceparent: string;
}

/**
 * Places an order: validates it, prices every line from the local price list (a unit price the
 * customer sent must agree with it), and stores the order with its OrderCreated event in one
 * transaction. Honours X-Idempotency-Key.
 */
export async function placeOrder(
  deps: OrdersDeps,
  caller: Principal,
  input: PlaceOrderInput,
  request: { idempotencyKey: string | undefined; traceparent: string },
): Promise<IdempotentResult<OrderView>> {
  const customerId = customerOf(caller, input.customerId);
  const currency = currencyOf(input);
  const lines = requestedLines(input, currency);
  const payment = paymentOf(input, currency);
  const placement: Placement = {
    input,
    customerId,
    currency,
    lines,
    payment,
    traceparent: request.traceparent,
  };

  const attempt = () =>
    idempotentRequest<OrderView>(
      deps,
      { callerId: caller.sub, operation: 'create-order', key: request.idempotencyKey, body: input },
      (tx) => placeInTransaction(deps, tx, placement),
    );
  try {
    return accepted(await attempt());
  } catch (error) {
    // The same client-chosen id placed twice at once: the one that lost the race finds the order the
    // other placed (its own: 202 with that order; another customer's: 409).
    if (input.orderId && isUniqueViolation(error)) return accepted(await attempt());
    throw error;
  }
}

/**
 * The placement's transaction: prices the lines, checks a declared amount against the total, and
 * stores the order with OrderCreated (or answers the order already placed under a client-chosen id).
 */
async function placeInTransaction(
  deps: OrdersDeps,
  tx: Db,
  placement: Placement,
): Promise<IdempotentAnswer<OrderView>> {
  const { input, customerId, currency, lines } = placement;
  const prices = await findPrices(
    tx,
    lines.map((line) => line.productId),
  );
  const priced = pricedOrThrow(priceOrder(lines, prices, currency));
  assertDeclaredAmount(placement.payment, priced.total, currency);

  const orderId = input.orderId ? parseId(input.orderId, 'ord')! : randomUUID();
  if (input.orderId) {
    // A client-chosen id placed again: the same customer gets the order as it is, 202 like any
    // replayed placement (a retried request); anyone else a conflict that says nothing about it.
    const existing = await findOrder(tx, orderId);
    if (existing) {
      if (existing.customerId !== customerId) {
        throw new AppError('CONFLICT', `An order with id ${orderId} already exists`, {
          details: { field: 'body.orderId', reason: 'ORDER_ID_TAKEN' },
        });
      }
      return { statusCode: ORDER_ACCEPTED, body: toOrderView(existing) };
    }
  }
  const order = await storeOrder(deps, tx, orderId, placement, priced);
  return { statusCode: ORDER_ACCEPTED, body: toOrderView(order) };
}

/** The priced order, or the 422 that names the lines at fault (or the total too large to accept). */
function pricedOrThrow(priced: PricingResult): Extract<PricingResult, { ok: true }> {
  if (priced.ok) return priced;
  if ('tooLarge' in priced) {
    throw new AppError(
      'UNPROCESSABLE_ENTITY',
      `The order total ${priced.tooLarge.total} exceeds the largest accepted amount ${priced.tooLarge.maximum}`,
      {
        details: { field: 'body.items', reason: 'AMOUNT_TOO_LARGE', ...priced.tooLarge },
      },
    );
  }
  const [first] = priced.problems;
  throw new AppError(
    'UNPROCESSABLE_ENTITY',
    priced.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
    {
      details: { reason: first!.reason, lines: priced.problems },
    },
  );
}

/** A payment amount the request declared (one method's amount, or the parts' sum) must be the order total. */
function assertDeclaredAmount(payment: RequestedPayment, total: string, currency: string): void {
  const { declaredAmount } = payment;
  if (declaredAmount === null || toMinorUnits(declaredAmount, currency) === toMinorUnits(total, currency)) {
    return;
  }
  throw new AppError(
    'UNPROCESSABLE_ENTITY',
    payment.parts
      ? `the amounts of body.paymentMethods add up to ${declaredAmount}, not the order total ${total}`
      : `body.paymentMethod.amount ${declaredAmount} disagrees with the order total ${total}`,
    {
      details: {
        field: payment.parts ? 'body.paymentMethods' : 'body.paymentMethod.amount',
        reason: 'AMOUNT_MISMATCH',
        expected: total,
        given: declaredAmount,
      },
    },
  );
}

/** Stores the order PENDING with its priced lines, and OrderCreated in the same transaction. */
async function storeOrder(
  deps: OrdersDeps,
  tx: Db,
  orderId: string,
  placement: Placement,
  priced: Extract<PricingResult, { ok: true }>,
): Promise<OrderRow> {
  const { input, customerId, currency, payment } = placement;
  const shippingAddress = shippingAddressOf(input.shippingAddress);
  const options = input.options ? { ...DEFAULT_OPTIONS, ...input.options } : null;
  const metadata = input.metadata ?? {};
  const order = await insertOrder(tx, {
    id: orderId,
    customerId,
    customerEmail: input.customerEmail ?? null,
    currency,
    totalAmount: priced.total,
    paymentMethodType: payment.type,
    paymentToken: payment.token,
    paymentParts: payment.parts,
    shippingAddress,
    shippingMethod: input.shippingMethod,
    options,
    metadata,
    couponCode: input.couponCode === undefined ? null : normalizeCouponCode(input.couponCode),
    items: priced.lines.map((line) => ({
      id: randomUUID(),
      lineNumber: line.lineNumber,
      productId: line.productId,
      sku: line.sku,
      productName: line.name,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      lineTotal: line.lineTotal,
      warehouseId: line.warehouseId,
    })),
  });
  await deps.outbox.publish(
    tx,
    'OrderCreated',
    {
      orderId,
      customerId,
      customerEmail: order.customerEmail,
      items: eventItems(order),
      totalAmount: priced.total,
      currency,
      paymentMethod: order.paymentMethodType,
      shippingAddress,
      shippingMethod: order.shippingMethod,
      options,
      metadata,
    },
    { correlationId: orderId, traceparent: placement.traceparent },
  );
  return order;
}

/** The shipping address as stored and published: every optional field null when not sent. */
function shippingAddressOf(address: PlaceOrderInput['shippingAddress']) {
  return {
    name: address.name ?? null,
    street: address.street,
    city: address.city,
    state: address.state ?? null,
    zipCode: address.zipCode,
    country: address.country,
    phone: address.phone ?? null,
  };
}
