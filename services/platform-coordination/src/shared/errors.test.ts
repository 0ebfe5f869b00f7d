import { ERROR_CODES, toErrorEnvelope } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import { COORDINATION_ERROR_CODES, coordinationError } from './errors.js';

describe('coordination error codes', () => {
  it("answer with the statuses of seed 001's error-code table", () => {
    expect(COORDINATION_ERROR_CODES.statuses).toEqual({
      WORKFLOW_NOT_FOUND: 404,
      SAGA_NOT_FOUND: 404,
      WORKFLOW_ALREADY_EXISTS: 409,
      INVALID_WORKFLOW_STATE: 422,
      WORKFLOW_EXECUTION_FAILED: 422,
      COMPENSATION_FAILED: 422,
    });
    for (const code of COORDINATION_ERROR_CODES.codes) expect(ERROR_CODES).not.toContain(code);
  });

  it('render in the seed 001 envelope, as refusals a retry does not mend', () => {
    const error = coordinationError(
      'WORKFLOW_EXECUTION_FAILED',
      'Workflow failed at step PAYMENT_PROCESSING',
      {
        failedStep: 'PAYMENT_PROCESSING',
      },
    );
    expect(error).toMatchObject({ status: 422, retriable: false });
    expect(toErrorEnvelope(error, 'trace-1')).toEqual({
      error: {
        code: 'WORKFLOW_EXECUTION_FAILED',
        message: 'Workflow failed at step PAYMENT_PROCESSING',
        details: { failedStep: 'PAYMENT_PROCESSING' },
        traceId: 'trace-1',
      },
    });
    expect(coordinationError('SAGA_NOT_FOUND', 'Saga s-1 does not exist')).toMatchObject({
      status: 404,
      details: {},
    });
  });
});
