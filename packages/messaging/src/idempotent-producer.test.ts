import { KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isProducerStateError } from './idempotent-producer.js';

function brokerAnswer(type: string, code: number) {
  // What kafkajs makes of a broker's error code (see its protocol/error.js).
  const answer = { type, code, retriable: false, message: `the broker said ${type}` };
  return new KafkaJSProtocolError(answer as unknown as Error);
}

describe('a producer the broker refuses', () => {
  it('is told apart from a message the broker refuses', () => {
    expect(isProducerStateError(brokerAnswer('OUT_OF_ORDER_SEQUENCE_NUMBER', 45))).toBe(true);
    expect(isProducerStateError(brokerAnswer('INVALID_PRODUCER_EPOCH', 47))).toBe(true);
    expect(isProducerStateError(brokerAnswer('UNKNOWN_PRODUCER_ID', 59))).toBe(true);
    expect(isProducerStateError(brokerAnswer('MESSAGE_TOO_LARGE', 10))).toBe(false);
    expect(isProducerStateError(brokerAnswer('CORRUPT_MESSAGE', 2))).toBe(false);
    expect(isProducerStateError(new Error('connection reset'))).toBe(false);
    expect(isProducerStateError(undefined)).toBe(false);
  });

  it('is found behind the errors that wrap it', () => {
    const wrapped = new Error('send failed', {
      cause: new Error('retries exceeded', { cause: brokerAnswer('OUT_OF_ORDER_SEQUENCE_NUMBER', 45) }),
    });
    expect(isProducerStateError(wrapped)).toBe(true);
  });
});
