import type { CompensationRequested, EventPayload } from './generated/events.js';

/** How the owner of a compensating action ended one request (CompensationOutcome `outcome`). */
export type CompensationOutcomeKind = 'DONE' | 'ALREADY_DONE' | 'NOT_APPLICABLE' | 'REJECTED';

/** The owner's answer to one CompensationRequested: `outcome`, with `reasonCode` and `detail`. */
export interface CompensationAnswer {
  outcome: CompensationOutcomeKind;
  reasonCode: string | null;
  detail: string | null;
}

/**
 * The CompensationOutcome that answers `request`: the request's saga, workflow, order, action and
 * attempt, its event id as `requestEventId`, and the answer. `orderId` replaces the request's order id
 * where the owner normalised it (a prefixed id read as the plain UUID).
 */
export function compensationOutcomeOf(
  request: CompensationRequested,
  answer: CompensationAnswer,
  orderId: string = request.orderId,
): EventPayload<'CompensationOutcome'> {
  return {
    sagaId: request.sagaId,
    workflowId: request.workflowId,
    orderId,
    action: request.action,
    attempt: request.attempt,
    requestEventId: request.eventId,
    outcome: answer.outcome,
    reasonCode: answer.reasonCode,
    detail: answer.detail,
  };
}
