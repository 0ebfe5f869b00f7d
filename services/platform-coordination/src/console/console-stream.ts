import { PassThrough } from 'node:stream';
import type { Logger } from '@fv/service-kit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ConsoleService } from './console-service.js';

export interface ConsoleStreamOptions {
  /** How often an open stream looks for changes (1 s). */
  pollIntervalMs?: number;
  /** How often an idle stream sends a comment, so proxies keep it open (15 s). */
  heartbeatMs?: number;
  logger: Logger;
}

/** One event in the text/event-stream format. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The console's live feed (server-sent events): `changed` whenever anything the console lists changes
 * (the page then reloads its list and counts), and, when the stream follows an order, `order` with the
 * order's whole document each time it changes. The database is the source, so every replica's console
 * sees every change.
 */
export class ConsoleStream {
  private readonly open = new Set<PassThrough>();

  constructor(
    private readonly service: ConsoleService,
    private readonly options: ConsoleStreamOptions,
  ) {}

  /** Ends every open stream (a graceful shutdown would otherwise wait for them). */
  close(): void {
    for (const stream of this.open) stream.end();
  }

  async follow(reply: FastifyReply, workflowId: string | null): Promise<FastifyReply> {
    // The order is read once first: an unknown one is a 404 before the stream opens.
    let order = workflowId ? await this.service.order(workflowId) : null;
    const stream = new PassThrough();
    let marks = { all: '', order: '' };
    let busy = false;
    const tick = async () => {
      if (busy || stream.writableEnded) return;
      busy = true;
      try {
        const all = await this.service.fingerprint();
        if (all !== marks.all) stream.write(sseEvent('changed', { at: new Date().toISOString() }));
        const current = order
          ? await this.service.orderFingerprint(order.workflow.workflowId, order.workflow.orderId)
          : '';
        if (order && current !== marks.order) {
          // Read after the fingerprint, so a change in between is sent again on the next tick.
          order = await this.service.order(order.workflow.workflowId);
          stream.write(sseEvent('order', order));
        }
        marks = { all, order: current };
      } catch (error) {
        this.options.logger.warn({ err: error }, 'console stream could not read changes');
      } finally {
        busy = false;
      }
    };
    const poll = setInterval(() => void tick(), this.options.pollIntervalMs ?? 1000);
    const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), this.options.heartbeatMs ?? 15_000);
    poll.unref();
    heartbeat.unref();
    const finish = () => {
      clearInterval(poll);
      clearInterval(heartbeat);
      this.open.delete(stream);
      if (!stream.writableEnded) stream.end();
    };
    this.open.add(stream);
    reply.raw.once('close', finish);
    stream.once('end', finish);
    reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache, no-transform')
      .header('x-accel-buffering', 'no');
    stream.write('retry: 3000\n\n');
    void tick();
    return reply.send(stream);
  }
}

export function closeStreamsOnShutdown(app: FastifyInstance, stream: ConsoleStream): void {
  app.addHook('preClose', async () => stream.close());
}
