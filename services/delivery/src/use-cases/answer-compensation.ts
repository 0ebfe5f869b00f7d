import { compensationOutcomeOf, type CompensationAnswer, type CompensationRequested } from '@fv/contracts';
import type { Db } from '../db/client.js';
import type { DeliveryDeps, EventMeta } from './deps.js';

export type { CompensationAnswer };

/** Publishes the one CompensationOutcome that answers `request`, in the caller's transaction. */
export async function answerCompensation(
  db: Db,
  deps: DeliveryDeps,
  request: CompensationRequested,
  meta: EventMeta,
  answer: CompensationAnswer,
): Promise<void> {
  await deps.outbox.publish(db, 'CompensationOutcome', compensationOutcomeOf(request, answer), {
    ...meta,
    key: request.orderId,
  });
}
