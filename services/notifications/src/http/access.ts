import { AppError, type Principal } from '@fv/service-kit';
import { normalizeCustomerId } from '../domain/ids.js';

/** Staff (admin) and other services see every customer's data; a customer sees only their own. */
export function isStaff(principal: Principal): boolean {
  return principal.roles.includes('admin') || principal.roles.includes('service');
}

export function canSeeCustomer(principal: Principal, customerId: string): boolean {
  return isStaff(principal) || normalizeCustomerId(principal.sub) === customerId;
}

/**
 * Someone else's resource answers exactly like a missing one (404), so ids of other customers'
 * shipments cannot be probed.
 */
export function assertCanSee(principal: Principal, customerId: string, notFound: AppError): void {
  if (!canSeeCustomer(principal, customerId)) throw notFound;
}

/** The customer filter a list query runs with: a customer is always limited to their own records. */
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
