import type { Principal } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import { customerIdOf, mayAccess } from './caller.js';

const CUSTOMER = '1f0e2d3c-4b5a-4697-8877-665544332211';
const OTHER = '99999999-8888-4777-a666-555555555555';

const principal = (sub: string, roles: Principal['roles']): Principal => ({ sub, roles, exp: 0 });

describe('callers', () => {
  it("reads a customer's token subject as the plain customer id, with or without its cust- prefix", () => {
    expect(customerIdOf(principal(CUSTOMER, ['customer']))).toBe(CUSTOMER);
    expect(customerIdOf(principal(`cust-${CUSTOMER.toUpperCase()}`, ['customer']))).toBe(CUSTOMER);
  });

  it('finds no customer in a subject that is not a customer id', () => {
    expect(customerIdOf(principal('orders-service', ['service']))).toBeNull();
    expect(customerIdOf(principal(`ord-${CUSTOMER}`, ['customer']))).toBeNull();
  });

  it('lets customers reach their own orders only', () => {
    const customer = principal(`cust-${CUSTOMER}`, ['customer']);
    expect(mayAccess(customer, CUSTOMER)).toBe(true);
    expect(mayAccess(customer, OTHER)).toBe(false);
  });

  it('lets staff (operators and services) reach every order', () => {
    expect(mayAccess(principal('operator', ['admin']), OTHER)).toBe(true);
    expect(mayAccess(principal('delivery', ['service']), OTHER)).toBe(true);
  });
});
