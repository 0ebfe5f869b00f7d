import { describe, expect, it } from 'vitest';
import {
  AppError,
  badRequest,
  conflict,
  ERROR_STATUS,
  internalError,
  notFound,
  rateLimitExceeded,
  serviceUnavailable,
  timeoutExceeded,
  toErrorEnvelope,
  unprocessable,
} from './errors.js';

describe('AppError', () => {
  it('keeps the platform error-code table', () => {
    expect(ERROR_STATUS).toMatchObject({
      INVALID_REQUEST: 400,
      AUTHENTICATION_REQUIRED: 401,
      INSUFFICIENT_PERMISSIONS: 403,
      WORKFLOW_NOT_FOUND: 404,
      SAGA_NOT_FOUND: 404,
      WORKFLOW_ALREADY_EXISTS: 409,
      INVALID_WORKFLOW_STATE: 422,
      WORKFLOW_EXECUTION_FAILED: 422,
      COMPENSATION_FAILED: 422,
      SERVICE_UNAVAILABLE: 503,
      TIMEOUT_EXCEEDED: 504,
      RATE_LIMIT_EXCEEDED: 429,
      INTERNAL_ERROR: 500,
      NOT_FOUND: 404,
      CONFLICT: 409,
      PAYLOAD_TOO_LARGE: 413,
      UNSUPPORTED_MEDIA_TYPE: 415,
      UNPROCESSABLE_ENTITY: 422,
    });
  });

  it('derives status and retriability from the code', () => {
    const missing = notFound('WORKFLOW_NOT_FOUND', 'Workflow wf-1 does not exist', { workflowId: 'wf-1' });
    expect(missing).toBeInstanceOf(Error);
    expect(missing).toMatchObject({ code: 'WORKFLOW_NOT_FOUND', status: 404, retriable: false });
    expect(missing.details).toEqual({ workflowId: 'wf-1' });

    expect(serviceUnavailable('inventory is down')).toMatchObject({ status: 503, retriable: true });
    expect(timeoutExceeded('took too long')).toMatchObject({ status: 504, retriable: true });
    expect(internalError()).toMatchObject({ status: 500, retriable: true });
    expect(badRequest('bad')).toMatchObject({ status: 400, retriable: false, details: {} });
    expect(conflict('WORKFLOW_ALREADY_EXISTS', 'dup')).toMatchObject({ status: 409, retriable: false });
    expect(unprocessable('INVALID_WORKFLOW_STATE', 'no')).toMatchObject({ status: 422, retriable: false });
  });

  it('lets the caller override retriability and keeps the cause', () => {
    const cause = new Error('deadlock detected');
    const error = new AppError('CONFLICT', 'concurrent update', { retriable: true, cause });
    expect(error.retriable).toBe(true);
    expect(error.cause).toBe(cause);
  });

  it('carries Retry-After for rate limiting', () => {
    const error = rateLimitExceeded(42, { limit: 1000 });
    expect(error.status).toBe(429);
    expect(error.headers).toEqual({ 'retry-after': '42' });
    expect(error.details).toEqual({ retryAfterSeconds: 42, limit: 1000 });
  });

  it('renders the envelope', () => {
    const error = unprocessable('WORKFLOW_EXECUTION_FAILED', 'Workflow failed at step PAYMENT_PROCESSING', {
      failedStep: 'PAYMENT_PROCESSING',
    });
    expect(toErrorEnvelope(error, 'trace-1')).toEqual({
      error: {
        code: 'WORKFLOW_EXECUTION_FAILED',
        message: 'Workflow failed at step PAYMENT_PROCESSING',
        details: { failedStep: 'PAYMENT_PROCESSING' },
        traceId: 'trace-1',
      },
    });
  });
});
