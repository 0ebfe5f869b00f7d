import { PassThrough } from 'node:stream';
import { parseId, requirePrincipal, withSchemaTypes, type SchemaTypedApp } from '@fv/service-kit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { OrderRow } from '../db/orders-store.js';
import { assertVisible } from '../use-cases/get-order.js';
import type { OrdersDeps } from '../use-cases/orders-deps.js';
import {
  START,
  STREAM_FINAL_STATUSES,
  cursorOf,
  formatEvent,
  isAfter,
  orderEvents,
  parseLastEventId,
  type Cursor,
} from './order-events-feed.js';
import { OrderEventsHub, loadOrderSnapshot } from './order-events-hub.js';
import { orderIdParams } from './order-schemas.js';
import { ORDER_READERS } from './orders.js';

export interface OrderEventsOptions {
  /** How often open streams look for new status changes (500 ms). */
  pollIntervalMs?: number;
  /** How often an idle stream sends a comment, so proxies keep it open (15 s). */
  heartbeatMs?: number;
}

/** How long a browser waits before reconnecting a dropped stream. */
const RECONNECT_MS = 3000;

/**
 * `GET /orders/{id}/events`: the order's status changes and saga steps as server-sent events, for its
 * customer (and staff). Replays what happened after `Last-Event-ID` (everything without it), then
 * follows the order live until it reaches a final state, when it sends `event: end` and closes. A
 * reconnect to an order that has finished with nothing new is answered 204, which tells an
 * EventSource to stop.
 */
export function orderEventsRoutes(
  instance: FastifyInstance,
  deps: OrdersDeps,
  options: OrderEventsOptions = {},
): void {
  const app = withSchemaTypes(instance);
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const hub = new OrderEventsHub(deps.prisma, {
    pollIntervalMs: options.pollIntervalMs ?? 500,
    logger: deps.logger.child({ component: 'order-events' }),
  });
  const open = new Set<PassThrough>();
  // Open streams would hold a graceful shutdown until its deadline: end them first.
  app.addHook('preClose', async () => {
    hub.close();
    for (const stream of open) stream.end();
  });
  registerFollowOrder(app, deps, { hub, open, heartbeatMs });
}

/** What the streams of one app share: the hub that watches orders, the open streams, the heartbeat. */
interface OrderStreams {
  hub: OrderEventsHub;
  open: Set<PassThrough>;
  heartbeatMs: number;
}

/** GET /orders/{id}/events. */
function registerFollowOrder(app: SchemaTypedApp, deps: OrdersDeps, streams: OrderStreams): void {
  app.get(
    '/orders/:id/events',
    {
      config: { roles: ['customer', 'admin', 'service'], services: ORDER_READERS },
      schema: {
        tags: ['orders'],
        summary: 'Follow an order live (server-sent events)',
        description:
          'text/event-stream of `step` events (INVENTORY_RESERVED, PAYMENT_AUTHORIZED, SHIPPING_LABEL_CREATED, PAYMENT_CAPTURED, ' +
          'or the failed step with its code and message) and `status` events (each status change, with the failure or cancellation), ' +
          'ids `<change>.<n>`; `end` once the order is COMPLETED, CANCELLED or refunded. Send Last-Event-ID to resume after an event. ' +
          'Customers see only their own orders (404 otherwise).',
        params: orderIdParams,
        headers: {
          type: 'object',
          properties: {
            'last-event-id': { type: 'string', maxLength: 40, description: 'Resume after this event' },
          },
        },
        response: {
          204: {
            type: 'null',
            description: 'The order has finished and nothing happened after Last-Event-ID',
          },
          404: { description: 'NOT_FOUND', $ref: 'ErrorEnvelope#' },
        },
      },
    },
    async (request, reply) => {
      const orderId = parseId(request.params.id, 'ord')!;
      const caller = requirePrincipal(request);
      const cursor: Cursor = parseLastEventId(request.headers['last-event-id']);
      const order = assertVisible(caller, orderId, await loadOrderSnapshot(deps.prisma, orderId));
      return streamOrderEvents(reply, streams, { orderId, order, cursor });
    },
  );
}

/**
 * Answers the order's events after `from.cursor` as a stream that follows the order until it is final;
 * a finished order with nothing new after the cursor is answered 204.
 */
function streamOrderEvents(
  reply: FastifyReply,
  { hub, open, heartbeatMs }: OrderStreams,
  from: { orderId: string; order: OrderRow; cursor: Cursor },
): FastifyReply {
  const { orderId, order } = from;
  let { cursor } = from;
  const stream = new PassThrough();
  let stopWatching = () => {};
  let heartbeat: NodeJS.Timeout | null = null;
  const finish = () => {
    stopWatching();
    if (heartbeat) clearInterval(heartbeat);
    open.delete(stream);
    if (!stream.writableEnded) stream.end();
  };
  /** Writes what is new in `snapshot`; ends the stream at a final state. */
  const send = (snapshot: OrderRow) => {
    if (stream.writableEnded) return;
    for (const event of orderEvents(snapshot).filter((e) => isAfter(e.id, cursor))) {
      stream.write(formatEvent(event));
      cursor = cursorOf(event.id);
    }
    if (STREAM_FINAL_STATUSES.includes(snapshot.status)) {
      stream.write(`event: end\ndata: ${JSON.stringify({ orderId, status: snapshot.status })}\n\n`);
      finish();
    }
  };

  const finished = STREAM_FINAL_STATUSES.includes(order.status);
  const resumed = cursor !== START;
  if (finished && resumed && !orderEvents(order).some((event) => isAfter(event.id, cursor))) {
    return reply.code(204).send();
  }

  reply
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache, no-transform')
    // nginx and similar proxies would otherwise buffer the stream.
    .header('x-accel-buffering', 'no');
  stream.write(`retry: ${RECONNECT_MS}\n\n`);
  send(order);
  if (!stream.writableEnded) {
    open.add(stream);
    stopWatching = hub.watch(orderId, send);
    heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), heartbeatMs);
    heartbeat.unref();
    // The client went away (or the response ended): stop following the order.
    reply.raw.once('close', finish);
  }
  return reply.send(stream);
}
