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

/** Prisma error codes that say the database, not the request, is the problem. */
const PRISMA_UNAVAILABLE = new Set([
  'P1001', // can't reach the database server
  'P1002', // the server was reached but timed out
  'P1008', // operation timed out
  'P1011', // TLS connection error
  'P1017', // the server closed the connection
  'P2024', // timed out fetching a connection from the pool
  'P2028', // transaction API error: the transaction expired while the database stalled
  'P2034', // write conflict or deadlock: the same transaction will succeed when tried again
  'P2037', // too many database connections
]);

/** Driver adapter error kinds (Prisma's JavaScript engine) that mean the same. */
const ADAPTER_UNAVAILABLE = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TlsConnectionError',
  'TransactionWriteConflict',
  'TransactionAlreadyClosed',
]);

/** Node.js / undici network error codes. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** kafkajs errors that mean the broker, not the message, is the problem. */
const KAFKA_UNAVAILABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
]);

/**
 * PostgreSQL SQLSTATEs of an unavailable or overloaded server: connection exceptions (08), operator
 * intervention such as a shutdown (57P), insufficient resources (53), system errors (58), and the
 * serialization failures and deadlocks (40001, 40P01) that succeed when the transaction runs again.
 */
function isUnavailableSqlState(code: string): boolean {
  return /^(08|57P|53|58)/.test(code) || code === '40001' || code === '40P01';
}

const CONNECTION_MESSAGES =
  /connection terminated|connection error|connection refused|timeout exceeded when trying to connect|terminating connection|the database system is (starting up|shutting down|in recovery mode)|Can't reach database server/i;

function matchesUnavailable(error: object): boolean {
  if (error instanceof InfrastructureError) return true;
  const record = error as Record<string, unknown>;
  const code = typeof record.code === 'string' ? record.code : undefined;
  const name = typeof record.name === 'string' ? record.name : undefined;
  const kind = typeof record.kind === 'string' ? record.kind : undefined;
  if (code && (PRISMA_UNAVAILABLE.has(code) || NETWORK_CODES.has(code))) return true;
  if (code && /^[0-9A-Z]{5}$/.test(code) && isUnavailableSqlState(code)) return true;
  if (kind && ADAPTER_UNAVAILABLE.has(kind)) return true;
  if (kind === 'postgres' && typeof record.code === 'string' && isUnavailableSqlState(record.code))
    return true;
  if (name && KAFKA_UNAVAILABLE.has(name)) return true;
  if (name === 'KafkaJSProtocolError' && record.retriable === true) return true;
  const message = typeof record.message === 'string' ? record.message : '';
  return CONNECTION_MESSAGES.test(message);
}

/**
 * Whether `test` holds for the error or anything it wraps: `cause` chains, `originalError` (kafkajs),
 * Prisma's wrapped driver adapter errors (`meta.driverAdapterError`, `meta.cause`) and aggregate
 * errors, breadth first, at most 16 errors deep and wide.
 */
export function someCause(error: unknown, test: (candidate: object) => boolean): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < 16) {
    const current = queue.shift();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    if (test(current)) return true;
    const record = current as Record<string, unknown>;
    queue.push(record.cause);
    const meta = record.meta as Record<string, unknown> | undefined;
    if (meta && typeof meta === 'object') queue.push(meta.driverAdapterError, meta.cause);
    if (Array.isArray(record.errors)) queue.push(...record.errors);
    if (record.originalError) queue.push(record.originalError);
  }
  return false;
}

/**
 * True when the failure is an outage of something the handler depends on — the database, the broker,
 * the schema registry, a network peer — rather than a property of the message. Such a failure is
 * never dead-lettered: the consumer waits and tries the same message again until the dependency is
 * back. Looks through everything the error wraps (`someCause`).
 */
export function isInfrastructureError(error: unknown): boolean {
  // A message that cannot be decoded, or a non-retriable business failure, is poison whatever it wraps.
  if (error instanceof NonRetriableError || error instanceof EventValidationError) return false;
  return someCause(error, matchesUnavailable);
}
