import { describe, expect, it } from 'vitest';
import { assertCanSee, canSeeCustomer, customerScope, isStaff } from './access.js';
import type { Principal, Role } from './auth.js';
import { AppError } from './errors.js';

const customerId = '550e8400-e29b-41d4-a716-446655440000';
const otherId = '660e8400-e29b-41d4-a716-446655440000';
const principal = (sub: string, ...roles: Role[]): Principal => ({ sub, roles, exp: 0 });

const customer = principal(`cust-${customerId}`, 'customer');
const admin = principal('operator-1', 'admin');
const service = principal('orders', 'service');

describe('who sees which customer', () => {
  it('treats admins and services as staff', () => {
    expect(isStaff(admin)).toBe(true);
    expect(isStaff(service)).toBe(true);
    expect(isStaff(customer)).toBe(false);
  });

  it('lets staff see everyone and a customer only themselves, whatever form their id takes', () => {
    expect(canSeeCustomer(admin, otherId)).toBe(true);
    expect(canSeeCustomer(customer, customerId)).toBe(true);
    expect(canSeeCustomer(principal(customerId.toUpperCase(), 'customer'), customerId)).toBe(true);
    expect(canSeeCustomer(customer, otherId)).toBe(false);
  });

  it("answers another customer's record with the given not-found error", () => {
    const notFound = new AppError('NOT_FOUND', 'Shipment 1 does not exist');
    expect(() => assertCanSee(customer, otherId, notFound)).toThrow(notFound);
    expect(() => assertCanSee(customer, customerId, notFound)).not.toThrow();
    expect(() => assertCanSee(service, otherId, notFound)).not.toThrow();
  });

  it('limits a customer to their own records in lists, and lets staff filter freely', () => {
    expect(customerScope(customer, undefined)).toBe(customerId);
    expect(customerScope(customer, `cust-${customerId}`)).toBe(customerId);
    expect(customerScope(admin, undefined)).toBeUndefined();
    expect(customerScope(admin, `cust-${otherId}`)).toBe(otherId);
    expect(customerScope(admin, 'customer-42')).toBe('customer-42');
    let refusal: unknown;
    try {
      customerScope(customer, otherId);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({
      code: 'INSUFFICIENT_PERMISSIONS',
      status: 403,
      details: { field: 'query.customerId' },
    });
  });
});
