import { fromMinorUnits, maxMinorUnits, sumMinor, toMinorUnits } from './money.js';

/** A line as the customer asked for it; `unitPrice` is the decimal text they expect to pay, if sent. */
export interface RequestedLine {
  productId: string;
  quantity: number;
  unitPrice: string | null;
  warehouseId: string | null;
}

/** A product's entry in the local price list (fed by the catalog's events). */
export interface ListedPrice {
  productId: string;
  sku: string;
  name: string | null;
  price: string;
  currency: string;
  status: string;
  deleted: boolean;
}

export interface PricedLine {
  lineNumber: number;
  productId: string;
  sku: string;
  name: string | null;
  quantity: number;
  unitPrice: string;
  lineTotal: string;
  warehouseId: string | null;
}

export type LineProblemReason =
  'UNKNOWN_PRODUCT' | 'PRODUCT_UNAVAILABLE' | 'CURRENCY_MISMATCH' | 'PRICE_MISMATCH';

export interface LineProblem {
  /** Request field at fault, e.g. `body.items[1].unitPrice`. */
  field: string;
  line: number;
  productId: string;
  reason: LineProblemReason;
  message: string;
  expected?: string;
  given?: string;
}

export type PricingResult =
  | { ok: true; lines: PricedLine[]; total: string }
  | { ok: false; problems: LineProblem[] }
  | { ok: false; tooLarge: { total: string; maximum: string } };

/** Only products the catalog sells at the moment can be ordered. */
const ORDERABLE = new Set(['ACTIVE']);

/**
 * Prices an order from the price list: every product must be listed, orderable and priced in the
 * order's currency, and a unit price the customer sent must be the listed one. Totals are computed in
 * minor units. Every faulty line is reported, not just the first.
 */
export function priceOrder(
  lines: readonly RequestedLine[],
  prices: ReadonlyMap<string, ListedPrice>,
  currency: string,
): PricingResult {
  const problems: LineProblem[] = [];
  const priced: PricedLine[] = [];
  const totals: bigint[] = [];
  lines.forEach((line, index) => {
    const result = priceLine(line, index, prices.get(line.productId), currency);
    if ('problem' in result) {
      problems.push(result.problem);
      return;
    }
    totals.push(result.lineTotal);
    priced.push(result.priced);
  });
  if (problems.length > 0) return { ok: false, problems };
  const total = sumMinor(totals);
  if (total > maxMinorUnits(currency)) {
    return {
      ok: false,
      tooLarge: {
        total: fromMinorUnits(total, currency),
        maximum: fromMinorUnits(maxMinorUnits(currency), currency),
      },
    };
  }
  return { ok: true, lines: priced, total: fromMinorUnits(total, currency) };
}

/** One line priced from its listed price (in minor units, `lineTotal`), or what is wrong with it. */
function priceLine(
  line: RequestedLine,
  index: number,
  listed: ListedPrice | undefined,
  currency: string,
): { problem: LineProblem } | { priced: PricedLine; lineTotal: bigint } {
  const field = `body.items[${index}]`;
  const problem = (reason: LineProblemReason, message: string): { problem: LineProblem } => ({
    problem: { field: `${field}.productId`, line: index, productId: line.productId, reason, message },
  });
  if (!listed || listed.deleted) {
    return problem('UNKNOWN_PRODUCT', `product ${line.productId} is not in the catalog`);
  }
  if (!ORDERABLE.has(listed.status)) {
    return problem(
      'PRODUCT_UNAVAILABLE',
      `product ${line.productId} is ${listed.status} and cannot be ordered`,
    );
  }
  if (listed.currency !== currency) {
    return problem(
      'CURRENCY_MISMATCH',
      `product ${line.productId} is priced in ${listed.currency}, not ${currency}`,
    );
  }
  const unit = toMinorUnits(listed.price, currency);
  const expected = fromMinorUnits(unit, currency);
  if (line.unitPrice !== null && toMinorUnits(line.unitPrice, currency) !== unit) {
    return {
      problem: {
        field: `${field}.unitPrice`,
        line: index,
        productId: line.productId,
        reason: 'PRICE_MISMATCH',
        message: `unit price ${line.unitPrice} of product ${line.productId} disagrees with the catalog price ${expected}`,
        expected,
        given: line.unitPrice,
      },
    };
  }
  const lineTotal = unit * BigInt(line.quantity);
  return {
    lineTotal,
    priced: {
      lineNumber: index + 1,
      productId: line.productId,
      sku: listed.sku,
      name: listed.name,
      quantity: line.quantity,
      unitPrice: expected,
      lineTotal: fromMinorUnits(lineTotal, currency),
      warehouseId: line.warehouseId,
    },
  };
}
