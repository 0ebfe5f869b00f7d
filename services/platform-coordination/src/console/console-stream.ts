import { PassThrough } from 'node:stream';
import type { Logger } from '@fv/service-kit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ConsoleService } from './console-service.js';
import type { WorkflowFilterInput } from './domain/workflow-filter.js';

export interface ConsoleStreamOptions {
  /** How often an open stream looks for changes (1 s). */
  pollIntervalMs?: number;
  /** Least time between two `list` events of one stream (2 s): a busy platform does not flood the page. */
  listIntervalMs?: number;
  /** How often an idle stream sends a comment, so proxies keep it open (15 s). */
  heartbeatMs?: number;
  logger: Logger;
  /** What a `list` event carries besides the workflows (the recent bulk operations). */
  extras?: () => Promise<Record<string, unknown>>;
}

/** What a stream follows: a page of the list under a filter, or one order. */
export type StreamSubject =
  { kind: 'list'; filter: WorkflowFilterInput; page: number; size: number } | { kind: 'order'; id: string };

/** A subject, with the ids of the order it follows resolved. */
type Followed =
  | Extract<StreamSubject, { kind: 'list' }>
  | { kind: 'order'; id: string; workflowId: string; orderId: string };

/** One event in the text/event-stream format. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The console's live feed (server-sent events). Following the list, it sends `list` — the page of
 * workflows under the stream's filter, with its counts and the recent operations — at once and whenever
 * anything the console shows changes (a workflow becoming stuck included), at most every
 * `listIntervalMs`. Following an order, it sends `order` with the order's whole document each time it
 * changes. The database is the source, so every replica's console sees every change, and the page makes
 * no request of its own while it follows.
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

  private async listDocument(subject: Extract<StreamSubject, { kind: 'list' }>) {
    const [list, extras] = await Promise.all([
      this.service.workflows(subject.filter, subject.page, subject.size),
      this.options.extras?.() ?? {},
    ]);
    return { ...list, ...extras };
  }

  /** What the stream sends next, or null when nothing changed since `mark`. */
  private async next(subject: Followed, mark: string) {
    if (subject.kind === 'list') {
      const current = await this.service.fingerprint();
      if (current === mark) return null;
      return { mark: current, event: 'list', data: await this.listDocument(subject) };
    }
    const current = await this.service.orderFingerprint(subject.workflowId, subject.orderId);
    if (current === mark) return null;
    // Read after the fingerprint, so a change in between is sent again on the next tick.
    return { mark: current, event: 'order', data: await this.service.order(subject.id) };
  }

  async follow(reply: FastifyReply, subject: StreamSubject): Promise<FastifyReply> {
    // Read once first: a bad filter or an unknown order is a 4xx before the stream opens.
    let followed: Followed;
    if (subject.kind === 'list') {
      await this.service.workflows(subject.filter, 0, 1);
      followed = subject;
    } else {
      const { workflow } = await this.service.order(subject.id);
      followed = {
        ...subject,
        workflowId: workflow.workflowId,
        orderId: workflow.orderId ?? workflow.correlationId,
      };
    }
    const stream = new PassThrough();
    let mark = '';
    let busy = false;
    let sentAt = 0;
    const minInterval = subject.kind === 'list' ? (this.options.listIntervalMs ?? 2000) : 0;
    const tick = async () => {
      if (busy || stream.writableEnded || Date.now() - sentAt < minInterval) return;
      busy = true;
      try {
        const next = await this.next(followed, mark);
        if (next && !stream.writableEnded) {
          stream.write(sseEvent(next.event, next.data));
          mark = next.mark;
          sentAt = Date.now();
        }
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
