import { describe, expect, it } from 'vitest';
import {
  AppError,
  badRequest,
  conflict,
  defineErrorCodes,
  ERROR_CODES,
  ERROR_STATUS,
  errorEnvelopeSchema,
  errorEnvelopeSchemaOf,
  internalError,
  notFound,
  rateLimitExceeded,
  serviceUnavailable,
  timeoutExceeded,
  toErrorEnvelope,
  unprocessable,
} from './errors.js';

describe('AppError', () => {
  it("keeps seed 001's shared codes and the generic ones, and none that belongs to one service", () => {
    expect(ERROR_STATUS).toEqual({
      INVALID_REQUEST: 400,
      AUTHENTICATION_REQUIRED: 401,
      INSUFFICIENT_PERMISSIONS: 403,
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
    const missing = notFound('NOT_FOUND', 'Shipment s-1 does not exist', { shipmentId: 's-1' });
    expect(missing).toBeInstanceOf(Error);
    expect(missing).toMatchObject({ code: 'NOT_FOUND', status: 404, retriable: false });
    expect(missing.details).toEqual({ shipmentId: 's-1' });

    expect(serviceUnavailable('inventory is down')).toMatchObject({ status: 503, retriable: true });
    expect(timeoutExceeded('took too long')).toMatchObject({ status: 504, retriable: true });
    expect(internalError()).toMatchObject({ status: 500, retriable: true });
    expect(badRequest('bad')).toMatchObject({ status: 400, retriable: false, details: {} });
    expect(conflict('CONFLICT', 'dup')).toMatchObject({ status: 409, retriable: false });
    expect(unprocessable('UNPROCESSABLE_ENTITY', 'no')).toMatchObject({ status: 422, retriable: false });
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
    const error = unprocessable('UNPROCESSABLE_ENTITY', 'Return r-1 was already received', {
      returnId: 'r-1',
    });
    expect(toErrorEnvelope(error, 'trace-1')).toEqual({
      error: {
        code: 'UNPROCESSABLE_ENTITY',
        message: 'Return r-1 was already received',
        details: { returnId: 'r-1' },
        traceId: 'trace-1',
      },
    });
  });
});

describe('a service declaring codes of its own', () => {
  const workflows = defineErrorCodes({
    WORKFLOW_NOT_FOUND: 404,
    INVALID_WORKFLOW_STATE: 422,
    FLOW_DOWN: 503,
  });

  it('builds errors with each code and its status, retriable from the status', () => {
    const missing = workflows.error('WORKFLOW_NOT_FOUND', 'Workflow wf-1 does not exist', {
      details: { workflowId: 'wf-1' },
    });
    expect(missing).toBeInstanceOf(AppError);
    expect(missing).toMatchObject({ code: 'WORKFLOW_NOT_FOUND', status: 404, retriable: false });
    expect(toErrorEnvelope(missing, 'trace-2')).toEqual({
      error: {
        code: 'WORKFLOW_NOT_FOUND',
        message: 'Workflow wf-1 does not exist',
        details: { workflowId: 'wf-1' },
        traceId: 'trace-2',
      },
    });
    expect(workflows.error('INVALID_WORKFLOW_STATE', 'no')).toMatchObject({ status: 422, retriable: false });
    expect(workflows.error('FLOW_DOWN', 'later')).toMatchObject({ status: 503, retriable: true });
    expect(workflows.codes).toEqual(['WORKFLOW_NOT_FOUND', 'INVALID_WORKFLOW_STATE', 'FLOW_DOWN']);
  });

  it('lists them in its envelope schema after the shared codes', () => {
    expect(errorEnvelopeSchemaOf(workflows.codes).properties.error.properties.code.enum).toEqual([
      ...ERROR_CODES,
      'WORKFLOW_NOT_FOUND',
      'INVALID_WORKFLOW_STATE',
      'FLOW_DOWN',
    ]);
    expect(errorEnvelopeSchema.properties.error.properties.code.enum).toEqual(ERROR_CODES);
  });

  it('refuses a shared code, a code that is not UPPER_SNAKE_CASE and a status that is not an error', () => {
    expect(() => defineErrorCodes({ NOT_FOUND: 400 })).toThrow('NOT_FOUND is a shared code');
    expect(() => defineErrorCodes({ workflowNotFound: 404 })).toThrow('not UPPER_SNAKE_CASE');
    expect(() => defineErrorCodes({ WORKFLOW_DONE: 200 })).toThrow('from 400 to 599, not 200');
  });
});
