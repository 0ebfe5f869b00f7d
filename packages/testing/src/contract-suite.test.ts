import type { EventName } from '@fv/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import {
  RELATED_SAMPLES_SEED,
  describeConsumedEventsContract,
  relatedSamples,
  type RelatedSamples,
} from './contract-suite.js';
import { eventSamples, withFields, type ConsumerUnderTest } from './event-samples.js';

const silent = { child: () => silent };

/** What the fake service was handed, by event and by orderId. */
const seen: { name: string; orderId: string }[] = [];
const KNOWN = 'known-order';

function handler(name: EventName) {
  return async (event: { orderId: string }) => {
    seen.push({ name, orderId: event.orderId });
  };
}

const consumer: ConsumerUnderTest = {
  service: 'fake',
  handlers: { OrderCreated: handler('OrderCreated'), OrderCancelled: handler('OrderCancelled') },
  transaction: (fn) => fn({}),
  logger: silent,
};
const consumers = new Map<EventName, ConsumerUnderTest>([
  ['OrderCreated', consumer],
  ['OrderCancelled', consumer],
]);

const aboutKnownOrder = async <N extends 'OrderCreated' | 'OrderCancelled'>(
  sample: Parameters<NonNullable<RelatedSamples[N]>>[0],
) =>
  withFields(sample, (event) => {
    event.orderId = KNOWN;
  });

// The suite itself, over a service that handles every event: each of its tests must pass.
describeConsumedEventsContract({
  service: 'fake',
  consumers: () => consumers,
  related: { OrderCreated: aboutKnownOrder, OrderCancelled: aboutKnownOrder },
  unknown: 'orders it does not know',
  known: 'orders it knows',
});

afterAll(() => {
  // Each event was tried with its plain samples and, about the known order, with its related ones.
  for (const name of ['OrderCreated', 'OrderCancelled'] as const) {
    const about = seen.filter((entry) => entry.name === name);
    expect(about.filter((entry) => entry.orderId === KNOWN)).toHaveLength(
      eventSamples(name, { seed: RELATED_SAMPLES_SEED }).length,
    );
    expect(about.filter((entry) => entry.orderId !== KNOWN)).toHaveLength(eventSamples(name).length);
  }
});

describe('relatedSamples', () => {
  it('hands each sample of the related seed to `relate` with its index, in order', async () => {
    const indexes: number[] = [];
    const samples = await relatedSamples('OrderCancelled', async (sample, index) => {
      indexes.push(index);
      return withFields(sample, (event) => {
        event.orderId = `order-${index}`;
      });
    });
    const drawn = eventSamples('OrderCancelled', { seed: RELATED_SAMPLES_SEED });
    expect(indexes).toEqual(drawn.map((_, index) => index));
    expect(samples.map((sample) => sample.label)).toEqual(drawn.map((sample) => sample.label));
    expect(samples.map((sample) => sample.event.orderId)).toEqual(drawn.map((_, index) => `order-${index}`));
  });
});
