import { randomUUID } from 'node:crypto';
import { dlqTopicOf, topicOf } from '@fv/contracts';
import { DLQ_HEADERS, EventCodec } from '@fv/messaging';
import { waitFor } from '@fv/testing';
import { deadLetterInput, factsOfEvent } from '../../src/dlq/domain/dead-letter-message.js';
import { recordDeadLetters } from '../../src/dlq/dead-letter-store.js';
import type { CoordinationRuntime } from '../../src/runtime.js';
import { OrderStory, publish, waitForWorkflow } from '../workflows/saga-support.js';
import { admin, type DecodedEvents } from '../support.js';

const codec = new EventCodec(process.env.SCHEMA_REGISTRY_URL!);

export type Body = Record<string, unknown> & { error?: { code: string; details: Record<string, unknown> } };

export async function call(
  runtime: CoordinationRuntime,
  method: 'GET' | 'POST',
  url: string,
  payload?: unknown,
  authorization = admin,
) {
  const response = await runtime.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  });
  return { status: response.statusCode, body: response.json() as Body, headers: response.headers };
}

/** An order of `customerId` whose inventory is reserved: the saga waits for the payment (IN_PROGRESS). */
export async function awaitingPayment(runtime: CoordinationRuntime, customerId?: string) {
  const story = new OrderStory();
  if (customerId) Object.assign(story, { customerId });
  await publish('OrderCreated', story.created());
  await publish('InventoryReserved', story.reserved());
  const status = await waitForWorkflow(
    runtime,
    story.orderId,
    (body) => body.currentStep === 'PAYMENT_PROCESSING' && body.status === 'IN_PROGRESS',
    'the saga waiting for the payment',
  );
  return { story, workflowId: String(status.workflowId).replace(/^wf-/, '') };
}

/**
 * An order whose payment was declined and whose compensation went through (each of the three requests
 * answered as its participant would): COMPENSATED.
 */
export async function compensated(runtime: CoordinationRuntime, requests: DecodedEvents) {
  const story = new OrderStory();
  await publish('OrderCreated', story.created());
  await publish('InventoryReserved', story.reserved());
  await publish('PaymentFailed', story.paymentFailed());
  const answered = new Set<string>();
  while (answered.size < 3) {
    const request = await requests.waitFor(
      'CompensationRequested',
      (event) => event.orderId === story.orderId && !answered.has(event.eventId),
      `compensation request ${answered.size + 1} of order ${story.orderId}`,
    );
    answered.add(request.eventId);
    const { name, event } = story.answer(request);
    await publish(name, event as never);
  }
  await waitForWorkflow(runtime, story.orderId, (body) => body.status === 'COMPENSATED', 'compensated');
  return story;
}

/** A PENDING dead letter of the story's OrderCreated, as a participant would have dead-lettered it. */
export async function deadLettered(
  runtime: CoordinationRuntime,
  story: OrderStory,
  errorCode: string,
): Promise<string> {
  const event = story.created();
  const id = randomUUID();
  const topic = topicOf('OrderCreated');
  await recordDeadLetters(runtime.context.prisma, [
    deadLetterInput({
      id,
      dlqTopic: dlqTopicOf(topic),
      dlqPartition: 0,
      message: {
        offset: String(2e9 + Math.floor(Math.random() * 1e9)),
        key: Buffer.from(story.orderId),
        value: await codec.encode('OrderCreated', event),
        timestamp: String(Date.now()),
        headers: {
          [DLQ_HEADERS.originalTopic]: topic,
          [DLQ_HEADERS.originalPartition]: '0',
          [DLQ_HEADERS.errorCode]: errorCode,
        },
      },
      facts: factsOfEvent('OrderCreated', event),
      decodeError: null,
      now: new Date(),
    }),
  ]);
  return id;
}

/** Waits for an operation to settle every row. */
export async function settled(runtime: CoordinationRuntime, id: string) {
  return waitFor(
    async () => {
      const { status, body } = await call(runtime, 'GET', `/operations/${id}`);
      return status === 200 && body.status === 'COMPLETED' ? body : undefined;
    },
    { timeoutMs: 30_000, description: `operation ${id} to complete`, intervalMs: 100 },
  );
}
