import type { EventCodec } from '@fv/messaging';
import { InfrastructureError } from '@fv/messaging';
import { conflict, notFound, pagination, serviceUnavailable } from '@fv/service-kit';
import type { Logger } from 'pino';
import type { DeadLetter, PrismaClient } from '../generated/prisma/client.js';
import { replayMessage, type DeadLetterStatus } from './domain/dead-letter-message.js';
import {
  countDeadLetters,
  findDeadLetter,
  findDeadLetters,
  lockOne,
  lockPending,
  markDiscarded,
  markReplayed,
  pendingPositions,
  type DeadLetterFilter,
} from './dead-letter-store.js';
import { deadLetterView, jsonSafe } from './dead-letter-view.js';
import { replayOrder } from './domain/replay-order.js';
import type { ReplayPublisher } from './replay-publisher.js';

export const DEFAULT_REPLAY_LIMIT = 1000;
export const MAX_REPLAY_LIMIT = 10_000;

const TRANSACTION = { timeout: 60_000, maxWait: 10_000 } as const;

export interface DeadLetterServiceOptions {
  prisma: PrismaClient;
  codec: Pick<EventCodec, 'decode'>;
  publisher: Pick<ReplayPublisher, 'send'>;
  logger: Logger;
  now?: () => Date;
  /** Dead letters sent and marked per transaction in a bulk replay (default 100). */
  chunkSize?: number;
}

type StatusCounts = Record<DeadLetterStatus | 'total', number>;

/** Rows of (key, status, count) as [key, { total, PENDING, REPLAYED, DISCARDED }], in the rows' order. */
function perStatus<K>(rows: { key: K; status: string; count: number }[]): [K, StatusCounts][] {
  const groups = new Map<K, StatusCounts>();
  for (const row of rows) {
    const entry = groups.get(row.key) ?? { total: 0, PENDING: 0, REPLAYED: 0, DISCARDED: 0 };
    entry[row.status as DeadLetterStatus] = row.count;
    entry.total += row.count;
    groups.set(row.key, entry);
  }
  return [...groups];
}

/** The broker failed to acknowledge a replay inside a transaction (which then rolls back). */
class ReplayNotAcknowledged extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason));
  }
}

async function publishOrFail(
  publisher: Pick<ReplayPublisher, 'send'>,
  messages: Parameters<ReplayPublisher['send']>[0],
) {
  try {
    await publisher.send(messages);
  } catch (error) {
    throw new ReplayNotAcknowledged(error);
  }
}

function notFoundError(id: string) {
  return notFound('NOT_FOUND', `Dead letter ${id} does not exist`, { id });
}

function settledError(row: DeadLetter, operation: 'replay' | 'discard') {
  return conflict('CONFLICT', `Dead letter ${row.id} is ${row.status} already; it cannot be ${operation}ed`, {
    id: row.id,
    status: row.status,
    reason: row.status === 'REPLAYED' ? 'ALREADY_REPLAYED' : 'ALREADY_DISCARDED',
  });
}

function brokerError(cause: unknown, details: Record<string, unknown>) {
  const message = cause instanceof Error ? cause.message : String(cause);
  return serviceUnavailable(
    `The broker did not acknowledge the replay (${message}); what was not acknowledged stays PENDING`,
    details,
    cause,
  );
}

/**
 * What an operator does with dead letters: look at them (decoded with the schema registry), replay them
 * onto their original topic and partition, or discard them with a reason. A replay is marked REPLAYED
 * only after the broker acknowledged it, in the transaction that holds the row's lock, so two operators
 * never replay the same dead letter twice. (Should the database fail after the broker acknowledged, the
 * row stays PENDING and a second replay sends the event again; consumers discard it by its event id.)
 */
export class DeadLetterService {
  private readonly now: () => Date;

  constructor(private readonly options: DeadLetterServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async list(filter: DeadLetterFilter, page: number, size: number) {
    const { rows, total } = await findDeadLetters(this.options.prisma, filter, page, size);
    return { deadLetters: rows.map(deadLetterView), pagination: pagination(page, size, total) };
  }

  async summary(filter: DeadLetterFilter) {
    const counts = await countDeadLetters(this.options.prisma, filter);
    const byStatus = { PENDING: 0, REPLAYED: 0, DISCARDED: 0 } as Record<DeadLetterStatus, number>;
    for (const row of counts.byStatus) byStatus[row.status as DeadLetterStatus] = row.count;
    return {
      total: byStatus.PENDING + byStatus.REPLAYED + byStatus.DISCARDED,
      byStatus,
      byTopic: perStatus(counts.byTopic.map((row) => ({ ...row, key: row.topic }))).map(([topic, c]) => ({
        topic,
        ...c,
      })),
      byError: perStatus(counts.byError.map((row) => ({ ...row, key: row.errorCode }))).map(
        ([errorCode, c]) => ({ errorCode, ...c }),
      ),
      byConsumerGroup: perStatus(
        counts.byConsumerGroup.map((row) => ({ ...row, key: row.consumerGroup })),
      ).map(([consumerGroup, c]) => ({ consumerGroup, ...c })),
    };
  }

  /** One dead letter with its headers, its value (base64) and the value decoded with the schema registry. */
  async show(id: string) {
    const row = await findDeadLetter(this.options.prisma, id);
    if (!row) throw notFoundError(id);
    let event: unknown = null;
    let decodeError: string | null = null;
    try {
      const decoded = await this.options.codec.decode(
        row.originalTopic,
        row.value ? Buffer.from(row.value) : null,
      );
      event = jsonSafe(decoded.event);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      decodeError =
        error instanceof InfrastructureError ? `schema registry unavailable: ${message}` : message;
    }
    return {
      ...deadLetterView(row),
      headers: row.headers,
      value: row.value ? Buffer.from(row.value).toString('base64') : null,
      valueSize: row.value?.length ?? 0,
      event,
      decodeError,
    };
  }

  /** Replays one PENDING dead letter: 404 when unknown, 409 when it was replayed or discarded already. */
  async replay(id: string, by: string) {
    const at = this.now();
    const replayed = await this.options.prisma
      .$transaction(async (tx) => {
        const row = await lockOne(tx, id);
        if (!row) throw notFoundError(id);
        if (row.status !== 'PENDING') throw settledError(row, 'replay');
        await publishOrFail(this.options.publisher, [replayMessage(row, { at, by })]);
        await markReplayed(tx, [id], at, by);
        return { ...row, status: 'REPLAYED', replayedAt: at, resolvedBy: by };
      }, TRANSACTION)
      .catch((error: unknown) => {
        throw error instanceof ReplayNotAcknowledged ? brokerError(error.reason, { id }) : error;
      });
    this.options.logger.info(
      { deadLetterId: id, topic: replayed.originalTopic, eventId: replayed.eventId, by },
      'dead letter replayed',
    );
    return deadLetterView(replayed);
  }

  /**
   * Replays up to `limit` PENDING dead letters matching the filter, oldest first, in their original order
   * (see replayOrder), in transactions of `chunkSize`: each chunk is marked once the broker acknowledged it.
   */
  async replayMatching(filter: DeadLetterFilter, by: string, limit = DEFAULT_REPLAY_LIMIT) {
    const at = this.now();
    const { positions, total } = await pendingPositions(this.options.prisma, filter, limit);
    const ordered = replayOrder(positions);
    const chunkSize = this.options.chunkSize ?? 100;
    const replayed: DeadLetter[] = [];
    for (let start = 0; start < ordered.length; start += chunkSize) {
      const chunk = ordered.slice(start, start + chunkSize);
      try {
        const sent = await this.options.prisma.$transaction(async (tx) => {
          const locked = new Map(
            (
              await lockPending(
                tx,
                chunk.map((p) => p.id),
              )
            ).map((row) => [row.id, row]),
          );
          const rows = chunk.flatMap((position) => locked.get(position.id) ?? []);
          await publishOrFail(
            this.options.publisher,
            rows.map((row) => replayMessage(row, { at, by })),
          );
          await markReplayed(
            tx,
            rows.map((row) => row.id),
            at,
            by,
          );
          return rows;
        }, TRANSACTION);
        replayed.push(...sent.map((row) => ({ ...row, status: 'REPLAYED', replayedAt: at, resolvedBy: by })));
      } catch (error) {
        if (!(error instanceof ReplayNotAcknowledged)) throw error;
        throw brokerError(error.reason, {
          replayed: replayed.length,
          replayedIds: replayed.map((row) => row.id),
        });
      }
    }
    this.options.logger.info(
      { filter, replayed: replayed.length, matched: total, by },
      'dead letters replayed',
    );
    return {
      replayed: replayed.length,
      matched: total,
      remaining: Math.max(0, total - replayed.length),
      deadLetters: replayed.map(deadLetterView),
    };
  }

  /** Marks a PENDING dead letter DISCARDED with the operator's reason (409 once replayed or discarded). */
  async discard(id: string, reason: string, by: string) {
    const at = this.now();
    const row = await this.options.prisma.$transaction(async (tx) => {
      const current = await lockOne(tx, id);
      if (!current) throw notFoundError(id);
      if (current.status !== 'PENDING') throw settledError(current, 'discard');
      return markDiscarded(tx, id, reason, at, by);
    }, TRANSACTION);
    this.options.logger.info({ deadLetterId: id, reason, by }, 'dead letter discarded');
    return deadLetterView(row);
  }
}
