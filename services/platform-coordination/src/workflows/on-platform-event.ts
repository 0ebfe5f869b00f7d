import { eventCatalog, eventNames, type EventName } from '@fv/contracts';
import type { EventHandler, EventHandlers } from '@fv/messaging';
import { WORKFLOW_TYPES } from './domain/templates/index.js';
import type { WorkflowEngine } from './workflow-engine.js';

/** Events this service publishes itself: it does not observe its own requests. */
const OWN_EVENTS: ReadonlySet<EventName> = new Set(['CompensationRequested', 'StepRetryRequested']);

/**
 * Every platform event that may name a followed workflow (its schema has a field a workflow type's
 * correlation rule reads: orderId, returnId, replenishmentId, ...), from the catalog.
 */
export function observedEvents(): EventName[] {
  const rules = WORKFLOW_TYPES.flatMap((type) => type.correlation);
  return eventNames.filter((name) => {
    if (OWN_EVENTS.has(name)) return false;
    const fields = (eventCatalog[name].schema.fields as readonly { name: string }[]).map(
      (field) => field.name,
    );
    return rules.some((rule) => (rule.event ?? name) === name && fields.includes(rule.field));
  });
}

/**
 * One handler for every observed event: the workflows it names (an order's, a return's, ...) are updated in the consumer's
 * transaction (so a redelivered event changes nothing). An event for an order no workflow follows opens
 * one when it is a step of the saga; other events about unknown orders are acknowledged and skipped.
 * The workflow keeps the trace of the first event that created or changed it (the console links to it).
 */
export function onPlatformEvent(engine: WorkflowEngine): EventHandlers {
  const handlers: Record<string, EventHandler<EventName>> = {};
  for (const name of observedEvents()) {
    handlers[name] = async (event, context) => {
      const { traceparent } = context.causedBy();
      const change = await engine.observe(context.tx, name, event, {
        causationId: event.eventId,
        traceparent,
      });
      if (!change) context.logger.debug({ event: name }, 'event concerns no workflow; skipped');
    };
  }
  return handlers as EventHandlers;
}
