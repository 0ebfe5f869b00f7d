export { Backoff, backoffDelay, jittered, type BackoffPolicy, type Jitter } from './backoff.js';
export {
  CircuitBreaker,
  CircuitOpenError,
  type CircuitBreakerOptions,
  type CircuitState,
} from './circuit-breaker.js';
export { retryUntilDone, type RetryOptions } from './retry.js';
export { sleep, sleepWithHeartbeat } from './sleep.js';
export { withTimeout } from './timeout.js';
