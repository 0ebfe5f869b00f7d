import { EventValidationError } from '@fv/contracts';

/**
 * Errors carry a `retriable` flag (the same convention as the services' AppError): a consumer
 * retries a retriable failure with backoff, and dead-letters a non-retriable one at once.
 */
export class NonRetriableError extends Error {
  readonly retriable = false;
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NonRetriableError';
  }
}

/** The bytes cannot be turned into an event: bad framing, unknown schema id, corrupt Avro. */
export class UndecodableMessageError extends NonRetriableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'UNDECODABLE_MESSAGE', options);
    this.name = 'UndecodableMessageError';
  }
}

/** The schema registry or broker could not be reached: never dead-lettered, the message is redelivered. */
export class InfrastructureError extends Error {
  readonly retriable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InfrastructureError';
  }
}

export function isRetriable(error: unknown): boolean {
  // An event that does not match its schema will not match it on the next attempt either.
  if (error instanceof EventValidationError) return false;
  if (error && typeof error === 'object' && 'retriable' in error) {
    return Boolean((error as { retriable: unknown }).retriable);
  }
  // Unknown errors (a lost database connection, a timeout) are worth another try.
  return true;
}

export function errorCode(error: unknown): string {
  if (error instanceof EventValidationError) return 'EVENT_VALIDATION_FAILED';
  if (
    error &&
    typeof error === 'object' &&
    'code' in error &&
    typeof (error as { code: unknown }).code === 'string'
  ) {
    return (error as { code: string }).code;
  }
  return error instanceof Error ? error.name : 'UNKNOWN';
}
