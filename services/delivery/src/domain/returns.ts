export const RETURN_REASONS = [
  'DAMAGED',
  'WRONG_ITEM',
  'NOT_AS_DESCRIBED',
  'NO_LONGER_NEEDED',
  'OTHER',
] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

export const ITEM_CONDITIONS = ['RESELLABLE', 'DAMAGED', 'DEFECTIVE'] as const;
export type ItemCondition = (typeof ITEM_CONDITIONS)[number];

export const RETURN_STATUSES = ['REQUESTED', 'RECEIVED'] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

const DAY_MS = 24 * 60 * 60 * 1000;

export type ReturnRefusal =
  | { reason: 'SHIPMENT_NOT_DELIVERED'; message: string }
  | { reason: 'RETURN_WINDOW_EXPIRED'; message: string; deadline: Date };

/** A return may be requested for a delivered shipment, until `windowDays` days after delivery. */
export function checkReturnWindow(input: {
  status: string;
  deliveredAt: Date | null;
  now: Date;
  windowDays: number;
}): ReturnRefusal | null {
  if (input.status !== 'DELIVERED' || !input.deliveredAt) {
    return {
      reason: 'SHIPMENT_NOT_DELIVERED',
      message: `Only delivered shipments can be returned; this one is ${input.status}`,
    };
  }
  const deadline = new Date(input.deliveredAt.getTime() + input.windowDays * DAY_MS);
  if (input.now.getTime() > deadline.getTime()) {
    return {
      reason: 'RETURN_WINDOW_EXPIRED',
      message: `The return window of ${input.windowDays} days closed on ${deadline.toISOString()}`,
      deadline,
    };
  }
  return null;
}

export interface ItemIssue {
  field: string;
  reason: 'PRODUCT_NOT_IN_SHIPMENT' | 'QUANTITY_EXCEEDS_RETURNABLE' | 'DUPLICATE_PRODUCT';
  message: string;
}

/**
 * Requested items must be lines of the shipment, each product once, and no more units than were
 * shipped minus those already claimed by earlier returns.
 */
export function checkReturnItems(input: {
  shipped: readonly { productId: string; quantity: number }[];
  alreadyReturned: ReadonlyMap<string, number>;
  requested: readonly { productId: string; quantity: number }[];
}): ItemIssue[] {
  const shipped = new Map(input.shipped.map((line) => [line.productId, line.quantity]));
  const seen = new Set<string>();
  const issues: ItemIssue[] = [];
  input.requested.forEach((item, index) => {
    const field = `body.items[${index}]`;
    if (seen.has(item.productId)) {
      issues.push({
        field: `${field}.productId`,
        reason: 'DUPLICATE_PRODUCT',
        message: `product ${item.productId} is listed twice`,
      });
      return;
    }
    seen.add(item.productId);
    const quantity = shipped.get(item.productId);
    if (quantity === undefined) {
      issues.push({
        field: `${field}.productId`,
        reason: 'PRODUCT_NOT_IN_SHIPMENT',
        message: `product ${item.productId} was not part of this shipment`,
      });
      return;
    }
    const returnable = quantity - (input.alreadyReturned.get(item.productId) ?? 0);
    if (item.quantity > returnable) {
      issues.push({
        field: `${field}.quantity`,
        reason: 'QUANTITY_EXCEEDS_RETURNABLE',
        message: `at most ${returnable} unit(s) of product ${item.productId} can still be returned`,
      });
    }
  });
  return issues;
}

/**
 * The received lines of a return: every requested product must be inspected exactly once, and no
 * product outside the request may be reported.
 */
export function checkReceivedItems(input: {
  requested: readonly { productId: string }[];
  received: readonly { productId: string }[];
}): ItemIssue[] {
  const requested = new Set(input.requested.map((item) => item.productId));
  const seen = new Set<string>();
  const issues: ItemIssue[] = [];
  input.received.forEach((item, index) => {
    const field = `body.items[${index}].productId`;
    if (seen.has(item.productId)) {
      issues.push({
        field,
        reason: 'DUPLICATE_PRODUCT',
        message: `product ${item.productId} is listed twice`,
      });
    } else if (!requested.has(item.productId)) {
      issues.push({
        field,
        reason: 'PRODUCT_NOT_IN_SHIPMENT',
        message: `product ${item.productId} is not part of this return`,
      });
    }
    seen.add(item.productId);
  });
  for (const productId of requested) {
    if (!seen.has(productId)) {
      issues.push({
        field: 'body.items',
        reason: 'PRODUCT_NOT_IN_SHIPMENT',
        message: `the condition of returned product ${productId} is missing`,
      });
    }
  }
  return issues;
}
