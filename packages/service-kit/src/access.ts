import type { Principal } from './auth.js';
import { AppError } from './errors.js';
import { normalizeCustomerId } from './ids.js';

/** Staff (admin) and other services see every customer's data; a customer sees only their own. */
export function isStaff(principal: Principal): boolean {
  return principal.roles.includes('admin') || principal.roles.includes('service');
}

/** Whether `principal` may see the records of `customerId` (a normalized customer id). */
export function canSeeCustomer(principal: Principal, customerId: string): boolean {
  return isStaff(principal) || normalizeCustomerId(principal.sub) === customerId;
}

/**
 * Throws `notFound` unless `principal` may see a record of `customerId`: someone else's resource
 * answers exactly like a missing one (404), so ids of other customers' records cannot be probed.
 */
export function assertCanSee(principal: Principal, customerId: string, notFound: AppError): void {
  if (!canSeeCustomer(principal, customerId)) throw notFound;
}

/**
 * The customer filter a list query runs with: staff get the customer they asked for (or none), a
 * customer always their own records; a customer asking for someone else's is refused (403).
 */
export function customerScope(principal: Principal, requested: string | undefined): string | undefined {
  if (isStaff(principal)) return requested === undefined ? undefined : normalizeCustomerId(requested);
  const own = normalizeCustomerId(principal.sub);
  if (requested !== undefined && normalizeCustomerId(requested) !== own) {
    throw new AppError('INSUFFICIENT_PERMISSIONS', 'Customers can only list their own records', {
      details: { field: 'query.customerId' },
    });
  }
  return own;
}

/** The 404 of a record that does not exist (or that its caller may not see): the id under `idField` in the details. */
export function recordNotFound(kind: string, idField: string, id: string): AppError {
  return new AppError('NOT_FOUND', `${kind} ${id} does not exist`, { details: { [idField]: id } });
}

/**
 * The record `find` loads for `id`, if `principal` may see it: a missing record and someone else's
 * answer alike, with `notFound(id)`.
 */
export async function findVisible<T extends { customerId: string }>(
  principal: Principal,
  id: string,
  find: (id: string) => Promise<T | null | undefined>,
  notFound: (id: string) => AppError,
): Promise<T> {
  const record = await find(id);
  if (!record) throw notFound(id);
  assertCanSee(principal, record.customerId, notFound(id));
  return record;
}
