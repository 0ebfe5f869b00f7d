import type { CompensationRequested } from '@fv/contracts';
import type { Db } from '../db/client.js';
import type { DeliveryDeps, EventMeta } from './deps.js';

/** How a compensation request ended (CompensationOutcome `outcome`, `reasonCode`, `detail`). */
export interface CompensationAnswer {
  outcome: 'DONE' | 'ALREADY_DONE' | 'NOT_APPLICABLE' | 'REJECTED';
  reasonCode: string | null;
  detail: string | null;
}

/** Publishes the one CompensationOutcome that answers `request`, in the caller's transaction. */
export async function answerCompensation(
  db: Db,
  deps: DeliveryDeps,
  request: CompensationRequested,
  meta: EventMeta,
  answer: CompensationAnswer,
): Promise<void> {
  await deps.outbox.publish(
    db,
    'CompensationOutcome',
    {
      sagaId: request.sagaId,
      workflowId: request.workflowId,
      orderId: request.orderId,
      action: request.action,
      attempt: request.attempt,
      requestEventId: request.eventId,
      outcome: answer.outcome,
      reasonCode: answer.reasonCode,
      detail: answer.detail,
    },
    { ...meta, key: request.orderId },
  );
}
