import { defineErrorCodes, type AppError, type ErrorDetails } from '@fv/service-kit';

/**
 * Seed 001's workflow and saga error codes, with the statuses of its error-code table. Only this service
 * answers with them; the shared codes (INVALID_REQUEST, SERVICE_UNAVAILABLE, ...) come from the kit.
 */
export const COORDINATION_ERROR_CODES = defineErrorCodes({
  WORKFLOW_NOT_FOUND: 404,
  SAGA_NOT_FOUND: 404,
  WORKFLOW_ALREADY_EXISTS: 409,
  INVALID_WORKFLOW_STATE: 422,
  WORKFLOW_EXECUTION_FAILED: 422,
  COMPENSATION_FAILED: 422,
});

export type CoordinationErrorCode = (typeof COORDINATION_ERROR_CODES.codes)[number];

/** A refusal with one of the coordination service's own codes, rendered in the seed 001 envelope. */
export function coordinationError(
  code: CoordinationErrorCode,
  message: string,
  details?: ErrorDetails,
): AppError {
  return COORDINATION_ERROR_CODES.error(code, message, { details });
}
