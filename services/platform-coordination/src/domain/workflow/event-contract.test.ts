import { randomUUID } from 'node:crypto';
import { avroTypeOf, validateEvent, type EventMap, type EventName } from '@fv/contracts';
import { describe, expect, it } from 'vitest';
import { observedEvents } from '../../events/on-platform-event.js';
import { observe } from './event-facts.js';
import { reduceWorkflow } from './reduce.js';
import type { WorkflowState } from './state.js';
import { orderFulfillmentTemplate } from './template.js';

/**
 * Contract between the saga observer (consumer) and the schemas of the events it consumes (the
 * producers' side, schemas/): any event the schema admits, with any optional field absent or null and
 * any union branch, is read without an error and leaves a workflow that can be stored. A handler that
 * relies on something a schema does not promise fails here, naming the event.
 */
const template = orderFulfillmentTemplate({
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

/**
 * A random event the schema of `name` admits, about `orderId`: Avro's random value, with the strings
 * the schema's logical rules constrain (UUIDs, decimal amounts) given random values of that form.
 */
function sample<N extends EventName>(name: N, orderId: string, at: number): EventMap[N] {
  const event = {
    ...(avroTypeOf(name).random() as unknown as Record<string, unknown>),
    eventId: randomUUID(),
    occurredAt: at,
    correlationId: orderId,
    orderId,
  };
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
        'OrderConfirmed',
        'DeliveryScheduled',
        'NotificationSent',
        'CompensationOutcome',
      ]),
    );
  });

  for (const name of consumed) {
    it(`reads any ${name} its schema admits, on a new workflow and on one the order opened`, () => {
      for (let i = 0; i < SAMPLES; i += 1) {
        const orderId = randomUUID();
        const context = { template, now: T0 + 60_000, newId: randomUUID };
        const opened = reduceWorkflow(
          context,
          null,
          {
            kind: 'event',
            observation: observe(template, 'OrderCreated', sample('OrderCreated', orderId, T0))!,
          },
          'OrderCreated',
        ).state as WorkflowState | null;
        const event = sample(name, orderId, T0 + 1000 + i);
        let observation: ReturnType<typeof observe> = null;
        expect(() => (observation = observe(template, name, event)), `${name} #${i} observed`).not.toThrow();
        expect(observation, `${name} names its order`).not.toBeNull();
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
              'OrderCreated',
            ).state;
          }, `${name} #${i} applied`).not.toThrow();
          expect(() => JSON.stringify(next), `${name} #${i} leaves a storable workflow`).not.toThrow();
        }
      }
    });
  }
});
