/** Messages between the benchmark and its load generator process (IPC of a forked child). */

export interface OrderBodies {
  jwtSecret: string;
  productIds: string[];
  /** Prefix of every idempotency key and customer e-mail of this job. */
  keyPrefix: string;
  card: string;
}

export interface LoadJob {
  type: 'job';
  /** GET of `url` (a probe), or POST /api/v1/orders with a fresh customer and idempotency key each. */
  kind: 'get' | 'orders';
  url: string;
  /** Requests per second. */
  rate: number;
  durationS: number;
  /** Milliseconds before an unanswered request counts as failed. */
  timeoutMs: number;
  orders?: OrderBodies;
}

/** One request: times are epoch milliseconds with fractions (performance.timeOrigin + performance.now()). */
export interface RequestRecord {
  index: number;
  /** start + index / rate: when an open-loop client means to send it. */
  intendedAt: number;
  /** When it was handed to the socket; later than intendedAt when the generator fell behind. */
  sentAt: number;
  /** When the whole answer had arrived (or the failure). */
  doneAt: number;
  /** HTTP status, 0 for no answer. */
  status: number;
  orderId: string | null;
  error: string | null;
}

export interface LoadResult {
  type: 'result';
  startAt: number;
  /** When the last request was sent. */
  lastSentAt: number;
  records: RequestRecord[];
}

export interface LoadReady {
  type: 'ready';
  pid: number;
}

export type ToGenerator = LoadJob | { type: 'exit' };
export type FromGenerator = LoadReady | LoadResult | { type: 'error'; message: string };
