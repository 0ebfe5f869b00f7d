import { eventNames, validateEvent, type OrderCreated } from '@fv/contracts';
import { describe, expect, it } from 'vitest';
import {
  consumeSample,
  contractBreach,
  eventSamples,
  expectContractKept,
  isOptionalFieldVariant,
  schemaFileOf,
  setupSample,
  withFields,
  type ConsumerUnderTest,
} from './event-samples.js';

class Refusal extends Error {
  override readonly name = 'Refusal';
  readonly retriable = false;
  readonly code = 'ORDER_NOT_FOUND';
}

class Outage extends Error {
  readonly retriable = true;
}

const silent = { child: () => silent };

function consumer(
  handler: (event: OrderCreated, context: { attempt: number }) => Promise<void>,
  deadLetter?: () => Promise<void>,
): ConsumerUnderTest {
  return {
    service: 'inventory',
    handlers: { OrderCreated: handler },
    ...(deadLetter ? { deadLetterHandlers: { OrderCreated: deadLetter } } : {}),
    retries: 2,
    transaction: (fn) => fn({}),
    logger: silent,
  };
}

describe('eventSamples', () => {
  it('draws only events their schema admits, for every event', () => {
    for (const name of eventNames) {
      for (const sample of eventSamples(name, { random: 5 })) {
        expect(validateEvent(name, sample.event), `${name}: ${sample.label}`).toEqual([]);
      }
    }
  });

  it('draws the same samples from the same seed', () => {
    expect(eventSamples('OrderCreated', { seed: 7 })).toEqual(eventSamples('OrderCreated', { seed: 7 }));
    expect(eventSamples('OrderCreated', { seed: 7 })).not.toEqual(eventSamples('OrderCreated', { seed: 8 }));
  });

  it('leaves each optional field null once, with the others set', () => {
    const samples = eventSamples('OrderCreated', { random: 0 });
    const labels = samples.map((sample) => sample.label);
    expect(labels).toEqual(
      expect.arrayContaining([
        'every optional field set',
        'every optional field null',
        'customerEmail null',
        'items[].sku null',
        'shippingAddress.phone null',
        'options null',
        'items empty',
        'metadata empty',
      ]),
    );
    const skuNull = samples.find((sample) => sample.label === 'items[].sku null')!.event;
    expect(skuNull.items.length).toBeGreaterThan(0);
    expect(skuNull.items.every((item) => item.sku === null)).toBe(true);
    expect(skuNull.customerEmail).not.toBeNull();
    expect(skuNull.options).not.toBeNull();
    const allNull = samples.find((sample) => sample.label === 'every optional field null')!.event;
    expect([allNull.customerEmail, allNull.options, allNull.shippingAddress.phone]).toEqual([
      null,
      null,
      null,
    ]);
    expect(samples.find((sample) => sample.label === 'items empty')!.event.items).toEqual([]);
  });

  it('takes every enum symbol once', () => {
    const actions = eventSamples('CompensationRequested', { random: 0 })
      .filter((sample) => sample.label.startsWith('action = '))
      .map((sample) => sample.event.action);
    expect(actions.sort()).toEqual(
      [
        'CANCEL_ORDER',
        'CANCEL_SHIPMENT',
        'NOTIFY_CUSTOMER',
        'REFUND_PAYMENT',
        'RELEASE_INVENTORY',
        'VOID_PAYMENT',
      ].sort(),
    );
  });

  it('keeps the nulls a sample was drawn with when its ids are changed', () => {
    const sample = eventSamples('OrderCreated', { random: 0 }).find(
      (s) => s.label === 'every optional field null',
    )!;
    const changed = withFields(sample, (event) => {
      event.orderId = 'ord-2';
      event.customerEmail = 'someone@example.com';
      event.items = [{ ...event.items[0]!, productId: 'prod-1', sku: 'SKU-1' }];
    });
    expect(changed.event.orderId).toBe('ord-2');
    expect([changed.event.customerEmail, changed.event.items[0]!.sku]).toEqual([null, null]);
    expect(changed.event.items[0]!.productId).toBe('prod-1');
    const filled = withFields(sample, (event) => void (event.customerEmail = 'someone@example.com'), {
      keepNulls: false,
    });
    expect(filled.event.customerEmail).toBe('someone@example.com');
  });

  it('sets up with ordinary events, each with an eventId of its own', () => {
    const [a, b] = [setupSample('OrderCreated'), setupSample('OrderCreated')];
    expect(a.event.eventId).not.toBe(b.event.eventId);
    expect(validateEvent('OrderCreated', a.event)).toEqual([]);
    expect(a.event.customerEmail).not.toBeNull();
  });

  it('keeps a change that the schema admits and refuses one it does not, naming the sample', () => {
    const [sample] = eventSamples('OrderCreated', { random: 1 });
    const changed = withFields(sample!, (event) => {
      event.orderId = 'ord-1';
    });
    expect(changed.event.orderId).toBe('ord-1');
    expect(() =>
      withFields(sample!, (event) => {
        (event as { orderId: unknown }).orderId = null;
      }),
    ).toThrow(
      /random #0 sample of OrderCreated breaks its own schema \(schemas\/order\/order-created\.avsc\)/,
    );
  });
});

describe('consumeSample and contractBreach', () => {
  const [sample] = eventSamples('OrderCreated', { random: 1 });

  it('accepts a handled sample and a refusal by design', async () => {
    expect(
      contractBreach(
        await consumeSample(
          consumer(async () => undefined),
          sample!,
        ),
      ),
    ).toBeNull();
    const refused = await consumeSample(
      consumer(async () => {
        throw new Refusal('unknown order');
      }),
      sample!,
    );
    expect(refused).toMatchObject({ result: 'refused', attempts: 1 });
    expect(contractBreach(refused)).toBeNull();
  });

  it('accepts a classified retriable failure that the consumer dead-letters after its retries', async () => {
    const outcome = await consumeSample(
      consumer(async () => {
        throw new Outage('customer not known yet');
      }),
      sample!,
    );
    expect(outcome).toMatchObject({ result: 'refused', attempts: 3 });
    expect(contractBreach(outcome)).toBeNull();
    const plain = await consumeSample(
      consumer(async () => {
        throw new Error('duplicate key value violates unique constraint');
      }),
      sample!,
    );
    expect(contractBreach(plain)).toMatch(/unclassified error \(3 attempt\(s\)\): Error: duplicate key/);
  });

  it('reports a refusal of a sample that must be handled', async () => {
    const refuse = consumer(async (event) => {
      if (event.customerEmail === null) throw new Refusal('no e-mail');
    });
    await expect(
      expectContractKept(refuse, eventSamples('OrderCreated', { random: 0 }), {
        mustBeHandled: isOptionalFieldVariant,
      }),
    ).rejects.toThrow(
      /sample "customerEmail null": it refused an event it must handle: Refusal \[ORDER_NOT_FOUND\]/,
    );
  });

  it('tries a retriable failure again, as the consumer does', async () => {
    const outcome = await consumeSample(
      consumer(async (_event, context) => {
        if (context.attempt < 3) throw new Outage('carrier unavailable');
      }),
      sample!,
    );
    expect(outcome).toEqual({ result: 'handled', attempts: 3 });
  });

  it('names a TypeError, a failure that never passes and a failing dead-letter hook', async () => {
    const typeError = await consumeSample(
      consumer(async (event) => {
        const missing = (event as unknown as { unknownField: { id: string } }).unknownField;
        if (missing.id) throw new Error('unreachable');
      }),
      sample!,
    );
    expect(contractBreach(typeError)).toMatch(/unclassified error \(3 attempt\(s\)\): TypeError/);
    const deadLetterFails = await consumeSample(
      consumer(
        async () => {
          throw new Refusal('unknown order');
        },
        async () => {
          throw new TypeError('cannot read properties of null');
        },
      ),
      sample!,
    );
    expect(contractBreach(deadLetterFails)).toMatch(/dead-letter hook failed: TypeError/);
  });

  it('fails naming the service, the handler, the event, the schema file and the sample', async () => {
    await expect(
      expectContractKept(
        consumer(async (event) => {
          if (event.customerEmail === null) throw new TypeError('customerEmail is null');
        }),
        eventSamples('OrderCreated', { random: 0 }),
      ),
    ).rejects.toThrow(
      new RegExp(
        `contract broken between inventory's OrderCreated handler and ${schemaFileOf('OrderCreated')}: ` +
          `2 of \\d+ schema-valid OrderCreated event\\(s\\)[^]*sample "every optional field null"[^]*sample "customerEmail null"`,
      ),
    );
  });
});
