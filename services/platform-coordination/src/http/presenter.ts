/**
 * The form in which the workflow and saga API answers (seed 001), applied to every document it sends:
 *
 * - **Ids** carry the seed's prefix: `wf-<uuid>`, `saga-<uuid>`, `ord-<uuid>`, `cust-<uuid>`,
 *   `comp-<uuid>`, `res-<uuid>`, `ret-<uuid>`. Requests may send them with or without it; the database,
 *   the events and the other services use the plain UUID (docs/api-contract.md).
 * - **Amounts** (`amount`, `totalAmount`, `refundAmount`) are JSON numbers, as in seed 001's examples;
 *   the events keep them as decimal strings.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL = /^-?\d{1,15}(\.\d{1,6})?$/;

export const ID_PREFIX_BY_FIELD: Readonly<Record<string, string>> = {
  workflowId: 'wf',
  sagaId: 'saga',
  orderId: 'ord',
  originalOrderId: 'ord',
  customerId: 'cust',
  compensationId: 'comp',
  reservationId: 'res',
  returnId: 'ret',
};

const AMOUNT_FIELDS = new Set(['amount', 'totalAmount', 'refundAmount']);

/** `wf-<uuid>` for a plain UUID; anything else (already prefixed, null, not an id) unchanged. */
export function withPrefix(prefix: string, value: unknown): unknown {
  return typeof value === 'string' && UUID.test(value) ? `${prefix}-${value.toLowerCase()}` : value;
}

function present(value: unknown, key: string | null): unknown {
  if (Array.isArray(value)) return value.map((item) => present(item, null));
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [field, inner] of Object.entries(value as Record<string, unknown>)) {
      out[field] = present(inner, field);
    }
    return out;
  }
  if (key === null) return value;
  const prefix = ID_PREFIX_BY_FIELD[key];
  if (prefix) return withPrefix(prefix, value);
  if (AMOUNT_FIELDS.has(key) && typeof value === 'string' && DECIMAL.test(value)) return Number(value);
  return value;
}

/** A response document in the API's form (a copy; the argument is not changed). */
export function presentDocument<T>(document: T): T {
  return present(document, null) as T;
}

/**
 * Route `onError` hook: ids in an error's details take the same form as in the documents (the error
 * envelope itself is written by the service kit).
 */
export async function presentErrorIds(_request: unknown, _reply: unknown, error: unknown): Promise<void> {
  const details = (error as { details?: unknown } | null)?.details;
  if (details && typeof details === 'object' && !Array.isArray(details)) {
    Object.assign(details, presentDocument(details));
  }
}
