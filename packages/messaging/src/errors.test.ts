import { EventValidationError } from '@fv/contracts';
import { describe, expect, it } from 'vitest';
import {
  InfrastructureError,
  NonRetriableError,
  UndecodableMessageError,
  errorCode,
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
