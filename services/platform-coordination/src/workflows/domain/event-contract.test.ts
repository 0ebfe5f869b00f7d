import { randomUUID } from 'node:crypto';
import { avroTypeOf, eventCatalog, validateEvent, type EventMap, type EventName } from '@fv/contracts';
import { describe, expect, it } from 'vitest';
import { observedEvents } from '../on-platform-event.js';
import { observe } from './event-facts.js';
import { reduceWorkflow } from './reduce.js';
import type { WorkflowState } from './state.js';
import type { WorkflowTemplate } from './template.js';
import { workflowTemplates } from './templates/index.js';

/**
 * Contract between the saga observer (consumer) and the schemas of the events it consumes (the
 * producers' side, schemas/): any event the schema admits, with any optional field absent or null and
 * any union branch, is read without an error and leaves a workflow that can be stored. A handler that
 * relies on something a schema does not promise fails here, naming the event.
 */
const templates = workflowTemplates({
  workflowTimeoutMs: 600_000,
  inventoryReservationTimeoutMs: 60_000,
  paymentProcessingTimeoutMs: 120_000,
  retry: { maxAttempts: 3, backoffMultiplier: 2, initialIntervalMs: 1000, maxIntervalMs: 30_000 },
  compensationTimeoutMs: 300_000,
  compensationMaxRetries: 5,
});
const SAMPLES = 25;
const T0 = Date.parse('2026-01-15T10:00:00Z');

/** Sets the value at a validation issue's path (`items[0].unitPrice`). */
function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let node = target as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys.at(-1)!] = value;
}

function hasField(name: EventName, field: string): boolean {
  return (eventCatalog[name].schema.fields as readonly { name: string }[]).some((f) => f.name === field);
}

/**
 * A random event the schema of `name` admits, about the workflow `key` of the template: Avro's random
 * value, with the fields the template's first applicable correlation rule reads set to name it, and the
 * strings the schema's logical rules constrain (UUIDs, decimal amounts) given random values of that form.
 */
function sample<N extends EventName>(
  template: WorkflowTemplate,
  name: N,
  key: string,
  at: number,
): EventMap[N] {
  const event: Record<string, unknown> = {
    ...(avroTypeOf(name).random() as unknown as Record<string, unknown>),
    eventId: randomUUID(),
    occurredAt: at,
    correlationId: key,
  };
  const rule = template.correlation.find(
    (candidate) => (candidate.event ?? name) === name && hasField(name, candidate.field),
  );
  if (rule) {
    event[rule.field] = key;
    if (rule.where) event[rule.where.field] = rule.where.in[0];
  }
  for (const issue of validateEvent(name, event)) {
    if (issue.message.startsWith('must be a UUID')) setAt(event, issue.path, randomUUID());
    else if (issue.message.startsWith('must be a decimal string'))
      setAt(
        event,
        issue.path,
        `${Math.floor(Math.random() * 10_000)}.${String(Math.floor(Math.random() * 100)).padStart(2, '0')}`,
      );
  }
  return checked(name, event as unknown as EventMap[N]);
}

function checked<N extends EventName>(name: N, event: EventMap[N]): EventMap[N] {
  const issues = validateEvent(name, event);
  if (issues.length) throw new Error(`a random ${name} breaks its own schema: ${JSON.stringify(issues)}`);
  return event;
}

describe('contract: the saga observer and the schemas of the events it consumes', () => {
  const consumed = observedEvents();

  it('consumes the saga events by name', () => {
    expect(consumed).toEqual(
      expect.arrayContaining([
        'OrderCreated',
        'InventoryReserved',
        'InventoryReservationFailed',
        'PaymentProcessed',
        'PaymentFailed',
        'CouponApplied',
        'CouponRejected',
        'CouponReleased',
        'OrderConfirmed',
        'DeliveryScheduled',
        'NotificationSent',
        'CompensationOutcome',
      ]),
    );
  });

  it('consumes the return and replenishment events', () => {
    expect(consumed).toEqual(
      expect.arrayContaining([
        'ReturnRequested',
        'ReturnReceived',
        'PaymentRefundFailed',
        'InventoryAdjusted',
        'ReplenishmentRequested',
        'PurchaseOrderPlaced',
        'PurchaseOrderConfirmed',
        'ReplenishmentCompleted',
        'ReplenishmentFailed',
        'OrderFailed',
      ]),
    );
  });

  const cases = templates.flatMap((template) =>
    consumed
      .filter((name) =>
        template.correlation.some((rule) => (rule.event ?? name) === name && hasField(name, rule.field)),
      )
      .map((name) => ({ template, name })),
  );
  for (const { template, name } of cases) {
    it(`reads any ${name} its schema admits into a ${template.type} workflow, new or opened`, () => {
      for (let i = 0; i < SAMPLES; i += 1) {
        const key = randomUUID();
        const context = { template, now: T0 + 60_000, newId: randomUUID };
        const openingEvent = sample(template, template.openingEvent, key, T0);
        const opened = reduceWorkflow(
          context,
          null,
          { kind: 'event', observation: observe(template, template.openingEvent, openingEvent)! },
          template.openingEvent,
        ).state as WorkflowState | null;
        const event = sample(template, name, key, T0 + 1000 + i);
        let observation: ReturnType<typeof observe> = null;
        expect(() => (observation = observe(template, name, event)), `${name} #${i} observed`).not.toThrow();
        expect(observation, `${name} names its workflow`).not.toBeNull();
        for (const state of [opened, null]) {
          let next: WorkflowState | null = null;
          expect(() => {
            next = reduceWorkflow(
              context,
              state === null ? null : structuredClone(state),
              {
                kind: 'event',
                observation: observation!,
              },
              template.openingEvent,
            ).state;
          }, `${name} #${i} applied`).not.toThrow();
          expect(() => JSON.stringify(next), `${name} #${i} leaves a storable workflow`).not.toThrow();
        }
      }
    });
  }
});
