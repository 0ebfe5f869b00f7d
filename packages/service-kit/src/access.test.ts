import { describe, expect, it } from 'vitest';
import {
  assertCanSee,
  canSeeCustomer,
  customerScope,
  findVisible,
  isStaff,
  recordNotFound,
} from './access.js';
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

describe('loading one record for its caller', () => {
  const records = new Map([['r1', { id: 'r1', customerId }]]);
  const find = async (id: string) => records.get(id);
  const notFound = (id: string) => recordNotFound('Return', 'returnId', id);

  it('returns the record to its customer and to staff', async () => {
    await expect(findVisible(customer, 'r1', find, notFound)).resolves.toEqual({ id: 'r1', customerId });
    await expect(findVisible(admin, 'r1', find, notFound)).resolves.toEqual({ id: 'r1', customerId });
  });

  it("answers a missing record and another customer's alike: 404 naming the id", async () => {
    const other = principal(`cust-${otherId}`, 'customer');
    for (const [who, id] of [
      [customer, 'r2'],
      [other, 'r1'],
    ] as const) {
      const error = await findVisible(who, id, find, notFound).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({
        code: 'NOT_FOUND',
        message: `Return ${id} does not exist`,
        details: { returnId: id },
      });
    }
  });
});
