import type { CompensationRequested } from '@fv/contracts';
import type { Tx } from '../db/tx.js';
import type { EventMeta, InventoryDeps } from './context.js';

/** How a compensation request ended (CompensationOutcome `outcome`, `reasonCode`, `detail`). */
export interface CompensationAnswer {
  outcome: 'DONE' | 'ALREADY_DONE' | 'NOT_APPLICABLE' | 'REJECTED';
  reasonCode: string | null;
  detail: string | null;
}

/** Publishes the one CompensationOutcome that answers `request`, in the caller's transaction. */
export async function answerCompensation(
  tx: Tx,
  deps: InventoryDeps,
  request: CompensationRequested,
  answer: CompensationAnswer,
  meta: Omit<EventMeta, 'correlationId'> & { correlationId?: string },
): Promise<void> {
  await deps.outbox.publish(
    tx,
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
    { ...meta, correlationId: meta.correlationId ?? request.orderId, key: request.orderId },
  );
}
