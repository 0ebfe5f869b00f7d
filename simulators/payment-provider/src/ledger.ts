import { randomUUID } from 'node:crypto';
import { ERROR_STATUS, type ErrorCode, type ErrorDetails } from '@fv/service-kit';
import { fromMinor } from './money.js';
import { TransientFailure, type Answer, type Tx } from './idempotency.js';
import { behaviourOf } from './test-tokens.js';

interface AuthorizationRow {
  id: string;
  merchant_reference: string | null;
  payment_method_type: string;
  currency: string;
  amount_minor: string;
  captured_minor: string;
  refunded_minor: string;
  status: string;
  created_at: Date;
  updated_at: Date;
}

interface OperationRow {
  id: string;
  authorization_id: string;
  kind: string;
  amount_minor: string | null;
  currency: string;
  created_at: Date;
}

export function authorizationView(row: AuthorizationRow, operations: OperationRow[] = []) {
  const currency = row.currency;
  return {
    id: row.id,
    object: 'authorization',
    status: row.status,
    amount: fromMinor(BigInt(row.amount_minor), currency),
    currency,
    capturedAmount: fromMinor(BigInt(row.captured_minor), currency),
    refundedAmount: fromMinor(BigInt(row.refunded_minor), currency),
    merchantReference: row.merchant_reference,
    paymentMethodType: row.payment_method_type,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    operations: operations.map(operationView),
  };
}

function operationView(row: OperationRow) {
  return {
    id: row.id,
    object: row.kind.toLowerCase(),
    authorizationId: row.authorization_id,
    amount: row.amount_minor === null ? null : fromMinor(BigInt(row.amount_minor), row.currency),
    currency: row.currency,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

function refusal(code: ErrorCode, message: string, details: ErrorDetails): Answer {
  return { kind: 'refusal', code, message, details, statusCode: ERROR_STATUS[code] };
}

const notFound = (id: string) =>
  refusal('NOT_FOUND', `No authorization ${id}`, { reason: 'AUTHORIZATION_NOT_FOUND', authorizationId: id });

function currencyMismatch(row: AuthorizationRow, given: string): Answer {
  return refusal('UNPROCESSABLE_ENTITY', `Authorization ${row.id} is in ${row.currency}, not ${given}`, {
    reason: 'CURRENCY_MISMATCH',
    field: 'body.currency',
    expected: row.currency,
    given,
  });
}

async function lockAuthorization(tx: Tx, id: string): Promise<AuthorizationRow | undefined> {
  const [row] = await tx.query<AuthorizationRow & Record<string, unknown>>(
    'select * from authorizations where id = $1 for update',
    [id],
  );
  return row;
}

async function updateAuthorization(tx: Tx, id: string, set: Record<string, string | bigint>) {
  const columns = Object.keys(set);
  const [row] = await tx.query<AuthorizationRow & Record<string, unknown>>(
    `update authorizations set ${columns.map((column, i) => `${column} = $${i + 2}`).join(', ')}, updated_at = now()
     where id = $1 returning *`,
    [id, ...columns.map((column) => String(set[column]))],
  );
  return row!;
}

async function insertOperation(
  tx: Tx,
  operation: {
    prefix: string;
    kind: 'CAPTURE' | 'VOID' | 'REFUND';
    authorizationId: string;
    amount: bigint | null;
    currency: string;
    key: string;
  },
): Promise<OperationRow> {
  const [row] = await tx.query<OperationRow & Record<string, unknown>>(
    `insert into operations (id, authorization_id, kind, amount_minor, currency, idempotency_key)
     values ($1, $2, $3, $4, $5, $6) returning *`,
    [
      `${operation.prefix}_${randomUUID().replace(/-/g, '')}`,
      operation.authorizationId,
      operation.kind,
      operation.amount === null ? null : operation.amount.toString(),
      operation.currency,
      operation.key,
    ],
  );
  return row!;
}

export interface AuthorizeInput {
  amount: bigint;
  currency: string;
  token: string;
  paymentMethodType: string;
  merchantReference: string | null;
}

/** Holds the amount on the payment method, or declines, as the test token says. */
export async function authorize(
  tx: Tx,
  key: string,
  input: AuthorizeInput,
): Promise<Answer | TransientFailure> {
  const behaviour = behaviourOf(input.token);
  switch (behaviour.kind) {
    case 'decline':
      return refusal('UNPROCESSABLE_ENTITY', `The payment was declined: ${behaviour.message}`, {
        reason: behaviour.reason,
        declineCode: behaviour.reason,
      });
    case 'unavailable':
      return new TransientFailure('the simulated provider is unavailable');
    case 'transient-once': {
      const served = await tx.query(
        `insert into simulated_failures (idempotency_key, token) values ($1, $2) on conflict do nothing returning 1`,
        [key, input.token],
      );
      if (served.length > 0) return new TransientFailure('the simulated provider is temporarily unavailable');
      break;
    }
    case 'hold':
    case 'approve':
      break;
  }
  const id = `auth_${randomUUID().replace(/-/g, '')}`;
  const [row] = await tx.query<AuthorizationRow & Record<string, unknown>>(
    `insert into authorizations (id, merchant_reference, payment_method_type, currency, amount_minor, status)
     values ($1, $2, $3, $4, $5, 'AUTHORIZED') returning *`,
    [id, input.merchantReference, input.paymentMethodType, input.currency, input.amount.toString()],
  );
  return { kind: 'result', statusCode: 201, body: authorizationView(row!) };
}

/** Takes (part of) the held amount. */
export async function capture(
  tx: Tx,
  key: string,
  authorizationId: string,
  input: { amount: bigint; currency: string },
): Promise<Answer> {
  const row = await lockAuthorization(tx, authorizationId);
  if (!row) return notFound(authorizationId);
  if (row.currency !== input.currency) return currencyMismatch(row, input.currency);
  if (row.status === 'VOIDED') {
    return refusal('CONFLICT', `Authorization ${row.id} was voided and cannot be captured`, {
      reason: 'AUTHORIZATION_VOIDED',
      authorizationId: row.id,
    });
  }
  const captured = BigInt(row.captured_minor);
  const authorized = BigInt(row.amount_minor);
  if (captured + input.amount > authorized) {
    return refusal(
      'UNPROCESSABLE_ENTITY',
      `Capturing ${fromMinor(input.amount, row.currency)} exceeds what is left of authorization ${row.id} (${fromMinor(authorized - captured, row.currency)})`,
      {
        reason: 'CAPTURE_EXCEEDS_AUTHORIZATION',
        field: 'body.amount',
        capturable: fromMinor(authorized - captured, row.currency),
      },
    );
  }
  const updated = await updateAuthorization(tx, row.id, {
    captured_minor: captured + input.amount,
    status: 'CAPTURED',
  });
  const operation = await insertOperation(tx, {
    prefix: 'cap',
    kind: 'CAPTURE',
    authorizationId: row.id,
    amount: input.amount,
    currency: row.currency,
    key,
  });
  return {
    kind: 'result',
    statusCode: 201,
    body: { ...operationView(operation), authorization: authorizationView(updated) },
  };
}

/** Releases a hold that was not captured. */
export async function voidAuthorization(tx: Tx, key: string, authorizationId: string): Promise<Answer> {
  const row = await lockAuthorization(tx, authorizationId);
  if (!row) return notFound(authorizationId);
  if (row.status === 'VOIDED') {
    return refusal('CONFLICT', `Authorization ${row.id} is already voided`, {
      reason: 'AUTHORIZATION_VOIDED',
      authorizationId: row.id,
    });
  }
  if (BigInt(row.captured_minor) > 0n) {
    return refusal('CONFLICT', `Authorization ${row.id} was captured; refund it instead`, {
      reason: 'AUTHORIZATION_CAPTURED',
      authorizationId: row.id,
    });
  }
  const updated = await updateAuthorization(tx, row.id, { status: 'VOIDED' });
  const operation = await insertOperation(tx, {
    prefix: 'void',
    kind: 'VOID',
    authorizationId: row.id,
    amount: null,
    currency: row.currency,
    key,
  });
  return {
    kind: 'result',
    statusCode: 201,
    body: { ...operationView(operation), authorization: authorizationView(updated) },
  };
}

/** Gives back (part of) what was captured. */
export async function refund(
  tx: Tx,
  key: string,
  authorizationId: string,
  input: { amount: bigint; currency: string },
): Promise<Answer> {
  const row = await lockAuthorization(tx, authorizationId);
  if (!row) return notFound(authorizationId);
  if (row.currency !== input.currency) return currencyMismatch(row, input.currency);
  const captured = BigInt(row.captured_minor);
  const refunded = BigInt(row.refunded_minor);
  if (captured === 0n) {
    return refusal('CONFLICT', `Authorization ${row.id} has nothing captured to refund`, {
      reason: 'NOT_CAPTURED',
      authorizationId: row.id,
    });
  }
  if (refunded + input.amount > captured) {
    return refusal(
      'UNPROCESSABLE_ENTITY',
      `Refunding ${fromMinor(input.amount, row.currency)} exceeds the refundable ${fromMinor(captured - refunded, row.currency)}`,
      {
        reason: 'REFUND_EXCEEDS_CAPTURE',
        field: 'body.amount',
        refundable: fromMinor(captured - refunded, row.currency),
      },
    );
  }
  const total = refunded + input.amount;
  const updated = await updateAuthorization(tx, row.id, {
    refunded_minor: total,
    status: total === captured ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
  });
  const operation = await insertOperation(tx, {
    prefix: 're',
    kind: 'REFUND',
    authorizationId: row.id,
    amount: input.amount,
    currency: row.currency,
    key,
  });
  return {
    kind: 'result',
    statusCode: 201,
    body: { ...operationView(operation), authorization: authorizationView(updated) },
  };
}

type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** An authorization with everything done to it, or null. */
export async function findAuthorization(query: Query, id: string) {
  const [row] = await query('select * from authorizations where id = $1', [id]);
  if (!row) return null;
  const operations = await query(
    'select * from operations where authorization_id = $1 order by created_at, id',
    [id],
  );
  return authorizationView(row as unknown as AuthorizationRow, operations as unknown as OperationRow[]);
}

/** Authorizations made for a merchant reference (an order id), oldest first. */
export async function listAuthorizations(query: Query, merchantReference: string) {
  const rows = await query(
    'select * from authorizations where merchant_reference = $1 order by created_at, id',
    [merchantReference],
  );
  const views = [];
  for (const row of rows) views.push((await findAuthorization(query, row.id as string))!);
  return views;
}
