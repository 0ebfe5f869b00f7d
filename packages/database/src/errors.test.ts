import { describe, expect, it } from 'vitest';
import { isUniqueViolation } from './errors.js';

describe('isUniqueViolation', () => {
  it('recognises a Prisma model call, a raw statement through the adapter and node-postgres', () => {
    expect(isUniqueViolation({ code: 'P2002', meta: { target: ['id'] } })).toBe(true);
    expect(
      isUniqueViolation({
        code: 'P2010',
        meta: {
          driverAdapterError: {
            name: 'DriverAdapterError',
            cause: { originalCode: '23505', kind: 'UniqueConstraintViolation' },
          },
        },
      }),
    ).toBe(true);
    expect(isUniqueViolation(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(true);
  });

  it('is false for other failures', () => {
    expect(
      isUniqueViolation({
        code: 'P2010',
        meta: { driverAdapterError: { cause: { originalCode: '23503' } } },
      }),
    ).toBe(false);
    expect(isUniqueViolation(Object.assign(new Error('gone'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
    expect(isUniqueViolation('P2002')).toBe(false);
  });
});
