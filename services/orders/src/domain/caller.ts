import { isStaff, parseId, type Principal } from '@fv/service-kit';

/** The customer a customer's token speaks for (its subject), or null when the subject is not a customer id. */
export function customerIdOf(caller: Principal): string | null {
  return parseId(caller.sub, 'cust');
}

/** Whether `caller` may see or act on an order of `customerId`: staff on every order, customers on their own. */
export function mayAccess(caller: Principal, customerId: string): boolean {
  return isStaff(caller) || customerIdOf(caller) === customerId;
}
