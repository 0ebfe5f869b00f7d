import { compensationOutcomeOf, type CompensationAnswer, type CompensationRequested } from '@fv/contracts';
import type { Tx } from '../db/tx.js';
import type { EventMeta, InventoryDeps } from './context.js';

export type { CompensationAnswer };

/** Publishes the one CompensationOutcome that answers `request`, in the caller's transaction. */
export async function answerCompensation(
  tx: Tx,
  deps: InventoryDeps,
  request: CompensationRequested,
  answer: CompensationAnswer,
  meta: Omit<EventMeta, 'correlationId'> & { correlationId?: string },
): Promise<void> {
  await deps.outbox.publish(tx, 'CompensationOutcome', compensationOutcomeOf(request, answer), {
    ...meta,
    correlationId: meta.correlationId ?? request.orderId,
    key: request.orderId,
  });
}
