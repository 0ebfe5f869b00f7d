export { Backoff, backoffDelay, type BackoffPolicy } from './backoff.js';
export { retryUntilDone, type RetryOptions } from './retry.js';
export { sleep, sleepWithHeartbeat } from './sleep.js';
export { withTimeout } from './timeout.js';
