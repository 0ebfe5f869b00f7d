import { randomUUID } from 'node:crypto';
import {
  badRequest,
  conflict,
  notFound,
  unprocessable,
  type Principal,
  type SchemaType,
} from '@fv/service-kit';
import { consoleTargets, countConsoleTargets } from '../console/console-queries.js';
import type { Db } from '../shared/db.js';
import { createOperation, findOperation, recentOperations, type OperationType } from './operation-store.js';
import { parseId } from '../shared/domain/ids.js';
import type { DeadLetterService } from '../dlq/dead-letter-service.js';
import type { DeadLetterFilter } from '../dlq/dead-letter-store.js';
import { isEmptyFilter, workflowFilterOf } from '../console/domain/workflow-filter.js';
import { operationDocument } from './operation-document.js';
import type { operationRequestBody } from './operation-routes.js';

export const OPERATION_TYPES = ['RETRY', 'CANCEL', 'REPLAY'] as const;
/** Most targets one operation may have: a wider filter is refused, to be narrowed. */
export const MAX_OPERATION_TARGETS = 1000;
const SAMPLE_SIZE = 20;

export const DEAD_LETTER_FILTER_FIELDS = ['topic', 'orderId', 'errorCode', 'consumerGroup'] as const;
export const WORKFLOW_FILTER_FIELDS = [
  'type',
  'status',
  'stuck',
  'customerId',
  'orderId',
  'from',
  'to',
] as const;

/**
 * POST /operations as sent: `dryRun` counts what the filter matches and changes nothing; otherwise
 * `expectedCount`, the count the dry run showed, confirms it.
 */
export type OperationRequest = SchemaType<typeof operationRequestBody>;
/** The console's workflow filter, or for REPLAY the dead letters' topic, order, error and group. */
export type OperationFilter = OperationRequest['filter'];

export interface OperationServiceDeps {
  prisma: Db;
  transaction: <T>(fn: (tx: Db) => Promise<T>) => Promise<T>;
  deadLetters: DeadLetterService;
  stuckAfterMs: number;
  now?: () => Date;
  /** Told of each new operation, to work through its rows. */
  onCreated: (operationId: string) => void;
}

type Target = { targetId: string; orderId: string | null };

/** Bulk retry, cancel and dead-letter replay by filter: a dry run counts, a confirmed run is recorded. */
export class OperationService {
  private readonly now: () => Date;

  constructor(private readonly deps: OperationServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Checks the filter against the operation's type (workflow fields, or dead-letter fields for REPLAY). */
  private checkFilter(type: OperationType, filter: OperationFilter): void {
    const allowed: readonly string[] = type === 'REPLAY' ? DEAD_LETTER_FILTER_FIELDS : WORKFLOW_FILTER_FIELDS;
    const wrong = Object.keys(filter).filter((field) => !allowed.includes(field));
    if (wrong.length) {
      throw badRequest(`A ${type} operation filters by ${allowed.join(', ')}`, {
        fields: wrong.map((field) => ({
          field: `filter.${field}`,
          rule: 'allowed',
          message: 'not a filter of this type',
        })),
      });
    }
    if (isEmptyFilter(filter)) {
      throw badRequest('Name what to act on: an operation over everything is refused', {
        fields: [{ field: 'filter', rule: 'minProperties', message: 'must name at least one filter' }],
      });
    }
  }

  private deadLetterFilter(filter: OperationFilter): DeadLetterFilter {
    return {
      status: 'PENDING',
      ...(filter.topic ? { topic: filter.topic } : {}),
      ...(filter.orderId ? { orderId: parseId(filter.orderId, ['ord']) ?? filter.orderId } : {}),
      ...(filter.errorCode ? { errorCode: filter.errorCode } : {}),
      ...(filter.consumerGroup ? { consumerGroup: filter.consumerGroup } : {}),
    };
  }

  /** What the filter matches now: the count and the first `limit` targets, in the order they are acted on. */
  private async match(type: OperationType, filter: OperationFilter, limit: number) {
    if (type === 'REPLAY') {
      // Oldest failure first, as the original messages came.
      const { deadLetters, pagination } = await this.deps.deadLetters.list(
        this.deadLetterFilter(filter),
        0,
        MAX_OPERATION_TARGETS,
      );
      const targets: Target[] = deadLetters
        .slice()
        .reverse()
        .slice(0, limit)
        .map((row) => ({ targetId: row.id, orderId: row.orderId ?? row.correlationId ?? null }));
      return { matched: pagination.totalElements, targets };
    }
    const where = workflowFilterOf(filter, this.now(), this.deps.stuckAfterMs);
    const [matched, rows] = await Promise.all([
      countConsoleTargets(this.deps.prisma, where),
      consoleTargets(this.deps.prisma, where, limit),
    ]);
    return { matched, targets: rows.map((row) => ({ targetId: row.id, orderId: row.correlationId })) };
  }

  /** POST /operations: a dry run answers with the count; otherwise the confirmed count starts the operation. */
  async submit(request: OperationRequest, principal: Principal) {
    this.checkFilter(request.type, request.filter);
    if (request.dryRun) {
      const { matched, targets } = await this.match(request.type, request.filter, SAMPLE_SIZE);
      return {
        dryRun: true as const,
        document: {
          dryRun: true,
          type: request.type,
          filter: request.filter,
          matched,
          maxTargets: MAX_OPERATION_TARGETS,
          sample: targets,
        },
      };
    }
    if (request.expectedCount === undefined) {
      throw badRequest('Confirm the operation with expectedCount: the count its dry run showed', {
        fields: [{ field: 'expectedCount', rule: 'required', message: 'required unless dryRun is true' }],
      });
    }
    const { matched, targets } = await this.match(request.type, request.filter, MAX_OPERATION_TARGETS);
    this.checkCount(matched, request.expectedCount);
    const id = randomUUID();
    await this.deps.transaction((tx) =>
      createOperation(tx, {
        id,
        type: request.type,
        filter: request.filter as Record<string, unknown>,
        reason: request.reason ?? null,
        requestedBy: principal.sub,
        createdAt: this.now(),
        targets,
      }),
    );
    this.deps.onCreated(id);
    return { dryRun: false as const, document: await this.get(id) };
  }

  private checkCount(matched: number, expected: number): void {
    if (matched > MAX_OPERATION_TARGETS) {
      throw unprocessable(
        'UNPROCESSABLE_ENTITY',
        `The filter matches ${matched}, more than the ${MAX_OPERATION_TARGETS} one operation may act on: narrow it`,
        { matched, maxTargets: MAX_OPERATION_TARGETS },
      );
    }
    if (matched === 0) {
      throw unprocessable('UNPROCESSABLE_ENTITY', 'The filter matches nothing: there is nothing to do', {
        matched,
      });
    }
    if (matched !== expected) {
      throw conflict(
        'CONFLICT',
        `The filter now matches ${matched}, not the ${expected} confirmed: run the dry run again and confirm its count`,
        { matched, expectedCount: expected },
      );
    }
  }

  async get(id: string) {
    const operation = await findOperation(this.deps.prisma, id);
    if (!operation) throw notFound('NOT_FOUND', `Operation ${id} does not exist`, { operationId: id });
    return operationDocument(operation);
  }

  async recent(limit: number) {
    return (await recentOperations(this.deps.prisma, limit)).map((operation) => operationDocument(operation));
  }
}
