import { EventValidationError } from '@fv/contracts';
import { describe, expect, it } from 'vitest';
import {
  InfrastructureError,
  NonRetriableError,
  UndecodableMessageError,
  errorCode,
  isInfrastructureError,
  isRetriable,
} from './errors.js';

describe('retriable or not', () => {
  it('dead-letters what can never succeed at once', () => {
    expect(isRetriable(new NonRetriableError('negative total', 'INVALID_ORDER'))).toBe(false);
    expect(isRetriable(new UndecodableMessageError('bad magic byte'))).toBe(false);
    expect(
      isRetriable(new EventValidationError('OrderCreated', [{ path: 'orderId', message: 'missing' }])),
    ).toBe(false);
    expect(isRetriable({ retriable: false })).toBe(false);
  });

  it('retries outages and unknown failures', () => {
    expect(isRetriable(new InfrastructureError('registry unreachable'))).toBe(true);
    expect(isRetriable(new Error('connection reset'))).toBe(true);
    expect(isRetriable({ retriable: true })).toBe(true);
  });

  it('names the error for the dead-letter headers', () => {
    expect(errorCode(new NonRetriableError('x', 'INVALID_ORDER'))).toBe('INVALID_ORDER');
    expect(errorCode(new UndecodableMessageError('x'))).toBe('UNDECODABLE_MESSAGE');
    expect(errorCode(new EventValidationError('OrderCreated', []))).toBe('EVENT_VALIDATION_FAILED');
    expect(errorCode(new TypeError('x'))).toBe('TypeError');
    expect(errorCode('a string')).toBe('UNKNOWN');
  });
});

describe('infrastructure or poison', () => {
  it('recognises database outages in every shape the driver and Prisma give them', () => {
    const unreachable = Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), {
      name: 'PrismaClientKnownRequestError',
      code: 'P1001',
    });
    expect(isInfrastructureError(unreachable)).toBe(true);
    const wrapped = Object.assign(new Error('Invalid `prisma.$executeRaw()` invocation'), {
      code: 'P2010',
      meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'DatabaseNotReachable' } } },
    });
    expect(isInfrastructureError(wrapped)).toBe(true);
    const shutdown = { name: 'DriverAdapterError', cause: { kind: 'postgres', code: '57P01' } };
    expect(isInfrastructureError(shutdown)).toBe(true);
    expect(isInfrastructureError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isInfrastructureError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isInfrastructureError(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }))).toBe(
      true,
    );
    expect(
      isInfrastructureError({ name: 'DriverAdapterError', cause: { kind: 'TransactionWriteConflict' } }),
    ).toBe(true);
  });

  it('recognises broker and registry outages', () => {
    expect(isInfrastructureError(new InfrastructureError('registry unreachable'))).toBe(true);
    expect(isInfrastructureError(Object.assign(new Error('x'), { name: 'KafkaJSConnectionError' }))).toBe(
      true,
    );
    expect(
      isInfrastructureError(Object.assign(new Error('x'), { name: 'KafkaJSProtocolError', retriable: true })),
    ).toBe(true);
  });

  it('does not take a failure of the message for an outage', () => {
    expect(isInfrastructureError(new NonRetriableError('unknown order', 'ORDER_NOT_FOUND'))).toBe(false);
    expect(isInfrastructureError(new UndecodableMessageError('bad magic byte'))).toBe(false);
    expect(isInfrastructureError(new Error('warehouse system unavailable'))).toBe(false);
    expect(isInfrastructureError(Object.assign(new Error('unique'), { code: 'P2002' }))).toBe(false);
    expect(
      isInfrastructureError({ name: 'DriverAdapterError', cause: { kind: 'postgres', code: '23505' } }),
    ).toBe(false);
    expect(isInfrastructureError(null)).toBe(false);
  });
});
