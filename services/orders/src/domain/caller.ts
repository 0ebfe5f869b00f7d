import type { Principal } from '@fv/service-kit';
import { parseId } from './ids.js';

/** Operators and services see and act on every order; customers only on their own. */
export function isStaff(caller: Principal): boolean {
  return caller.roles.includes('admin') || caller.roles.includes('service');
}

/** The customer a customer's token speaks for (its subject), or null when the subject is not a customer id. */
export function customerIdOf(caller: Principal): string | null {
  return parseId(caller.sub, 'cust');
}

/** Whether `caller` may see or act on an order of `customerId`. */
export function mayAccess(caller: Principal, customerId: string): boolean {
  return isStaff(caller) || customerIdOf(caller) === customerId;
}
