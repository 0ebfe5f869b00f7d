import type { EventMap, EventName } from '@fv/contracts';
import type { AnswerFact, ErrorInfo, OrderFacts, StepOutcome } from './state.js';
import {
  type CorrelationRule,
  REJECTED_OUTCOME,
  SATISFIED_OUTCOMES,
  type StepEventRule,
  type StepName,
  type WorkflowTemplate,
} from './template.js';

/** What one platform event tells the observer about a workflow. */
export interface Observation {
  eventId: string;
  name: EventName;
  at: number;
  /** The workflow's correlation key as the event names it (an order id, a return id, ...). */
  key: string;
  /** The order's details (OrderCreated). */
  order: OrderFacts | null;
  /** Steps it completes or fails. */
  steps: { step: StepName; kind: 'completed' | 'failed' | 'attempt-failed'; outcome: StepOutcome }[];
  /** A possible answer to a compensation. */
  answer: AnswerFact | null;
  /** The order was cancelled outside the saga. */
  cancellation: { reason: string; initiatedBy: string | null; details: string | null } | null;
  /** Business references it carries that the template keeps (e.g. the return's orderId). */
  references: Record<string, string>;
  /** A failure of the whole workflow (it fails the step where the workflow stands). */
  workflowFailure: StepOutcome | null;
  /** Whether the event may open a workflow for an order not seen yet. */
  opens: boolean;
}

type AnyEvent = EventMap[EventName];

/** Fields of an event as strings (scalars only), for the template's `where` rules and answers. */
export function scalarFields(event: AnyEvent): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(event)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      fields[key] = String(value);
  }
  return fields;
}

function matches(rule: { where?: { field: string; in: string[] } }, fields: Record<string, string>): boolean {
  if (!rule.where) return true;
  const value = fields[rule.where.field];
  return value !== undefined && rule.where.in.includes(value);
}

/** The order id an event names, when it names one. */
export function orderIdOf(event: AnyEvent): string | null {
  const value = (event as { orderId?: unknown }).orderId;
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The correlation key an event gives a template's workflow (its first rule that applies), if any. */
export function correlationKeyOf(
  rules: readonly CorrelationRule[],
  name: EventName,
  event: AnyEvent,
): string | null {
  const fields = scalarFields(event);
  for (const rule of rules) {
    if (rule.event !== undefined && rule.event !== name) continue;
    if (!matches(rule, fields)) continue;
    const value = fields[rule.field];
    if (value !== undefined && value !== '') return value;
  }
  return null;
}

function iso(ms: number | null | undefined): string | null {
  return typeof ms === 'number' ? new Date(ms).toISOString() : null;
}

/** The result a step keeps from an event, restricted to the keys its rule names. */
export function stepResult(
  name: EventName,
  event: AnyEvent,
  keys: readonly string[],
): Record<string, unknown> {
  const all: Record<string, unknown> = { ...scalarFields(event) };
  switch (name) {
    case 'InventoryReserved': {
      const e = event as EventMap['InventoryReserved'];
      all.itemsReserved = e.items.reduce((sum, item) => sum + item.quantity, 0);
      all.warehousesUsed = [...new Set(e.items.map((item) => item.warehouseId))].sort();
      all.expiresAt = iso(e.expiresAt);
      break;
    }
    case 'InventoryReservationFailed': {
      const e = event as EventMap['InventoryReservationFailed'];
      all.unavailableItems = e.unavailableItems.map((item) => ({ ...item }));
      break;
    }
    case 'PaymentFailed':
      all.attempts = (event as EventMap['PaymentFailed']).attempt;
      break;
    case 'DeliveryScheduled':
      all.estimatedDeliveryAt = iso((event as EventMap['DeliveryScheduled']).estimatedDeliveryAt);
      break;
    case 'PurchaseOrderConfirmed':
      all.expectedAt = iso((event as EventMap['PurchaseOrderConfirmed']).expectedAt);
      break;
    default:
      break;
  }
  const result: Record<string, unknown> = {};
  for (const key of keys) if (all[key] !== undefined && all[key] !== null) result[key] = all[key];
  return result;
}

function errorOf(name: EventName, event: AnyEvent): ErrorInfo {
  const fields = scalarFields(event);
  switch (name) {
    case 'InventoryReservationFailed': {
      const e = event as EventMap['InventoryReservationFailed'];
      return {
        code: e.reason,
        message: e.message,
        details: Object.fromEntries(
          e.unavailableItems.map((item) => [
            item.productId,
            `requested ${item.requestedQuantity}, available ${item.availableQuantity}`,
          ]),
        ),
      };
    }
    default:
      return {
        code: fields.errorCode ?? fields.reason ?? name,
        message: fields.errorMessage ?? fields.message ?? `${name} received`,
        details: Object.fromEntries(
          Object.entries({
            retriable: fields.retriable,
            attempt: fields.attempt,
            channel: fields.channel,
          }).filter((entry): entry is [string, string] => entry[1] !== undefined),
        ),
      };
  }
}

function orderFacts(event: EventMap['OrderCreated']): OrderFacts {
  return {
    customerId: event.customerId,
    customerEmail: event.customerEmail,
    totalAmount: event.totalAmount,
    currency: event.currency,
    priority: event.options?.priority ?? 'NORMAL',
    itemCount: event.items.reduce((sum, item) => sum + item.quantity, 0),
    shippingMethod: event.shippingMethod,
    paymentMethod: event.paymentMethod,
    metadata: { ...event.metadata },
    lines: event.items.map((item) => ({
      productId: item.productId,
      quantity: item.quantity,
      warehouseId: item.warehouseId,
    })),
    shippingAddress: { ...event.shippingAddress },
  };
}

function stepOutcome(name: EventName, event: AnyEvent, rule: StepEventRule, failed: boolean): StepOutcome {
  return {
    eventId: event.eventId,
    source: name,
    at: event.occurredAt,
    result: stepResult(name, event, rule.result),
    error: failed ? errorOf(name, event) : null,
    reason: failed
      ? ((rule.reasonField ? scalarFields(event)[rule.reasonField] : undefined) ?? rule.reason ?? null)
      : null,
  };
}

/**
 * Reads a platform event through the template: the workflow it names, the steps it settles, the
 * compensation it may answer, the details it carries. Null for an event that names no workflow of the
 * template's type.
 */
export function observe(template: WorkflowTemplate, name: EventName, event: AnyEvent): Observation | null {
  const key = correlationKeyOf(template.correlation, name, event);
  if (!key) return null;
  const fields = scalarFields(event);
  const references: Record<string, string> = {};
  for (const field of template.references) if (fields[field] !== undefined) references[field] = fields[field];
  const observation: Observation = {
    eventId: event.eventId,
    name,
    at: event.occurredAt,
    key,
    order: name === 'OrderCreated' ? orderFacts(event as EventMap['OrderCreated']) : null,
    steps: [],
    answer: null,
    cancellation: null,
    references,
    workflowFailure: null,
    opens: name === template.openingEvent,
  };
  const failure = template.failedBy.find((rule) => rule.event === name && matches(rule, fields));
  if (failure) observation.workflowFailure = stepOutcome(name, event, failure, true);
  for (const step of template.steps) {
    for (const rule of step.completedBy) {
      if (rule.event === name && matches(rule, fields)) {
        observation.steps.push({
          step: step.name,
          kind: 'completed',
          outcome: stepOutcome(name, event, rule, false),
        });
        observation.opens = true;
      }
    }
    for (const rule of step.failedBy) {
      if (rule.event === name && matches(rule, fields)) {
        const retried = rule.retriableField !== undefined && fields[rule.retriableField] === 'true';
        observation.steps.push({
          step: step.name,
          kind: retried ? 'attempt-failed' : 'failed',
          outcome: stepOutcome(name, event, rule, true),
        });
        observation.opens = true;
      }
    }
  }
  const answers = template.compensations.some((compensation) =>
    compensation.answeredBy.some((rule) => rule.event === name && matches(rule, fields)),
  );
  // A CompensationOutcome names the request it answers; an outcome this observer does not know is no answer.
  const outcome = name === 'CompensationOutcome' ? (event as EventMap['CompensationOutcome']) : null;
  const knownOutcome =
    !outcome ||
    outcome.outcome === REJECTED_OUTCOME ||
    (SATISFIED_OUTCOMES as readonly string[]).includes(outcome.outcome);
  if (answers && knownOutcome) {
    observation.answer = {
      eventId: event.eventId,
      name,
      at: event.occurredAt,
      causationId: outcome ? outcome.requestEventId : event.causationId,
      fields,
    };
  }
  if (template.cancelledBy.includes(name)) {
    observation.cancellation = {
      reason: fields.reason ?? 'CANCELLED',
      initiatedBy: fields.initiatedBy ?? null,
      details: fields.reasonDetails ?? null,
    };
  }
  return observation;
}
