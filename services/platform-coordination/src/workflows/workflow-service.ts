import { createHash, randomUUID } from 'node:crypto';
import {
  AppError,
  insufficientPermissions,
  invalidFields,
  parseId as parseAnyId,
  type Principal,
  type SchemaType,
} from '@fv/service-kit';
import type { Db } from '../shared/db.js';
import {
  averageDurations,
  findSagaRecord,
  findWorkflowRecord,
  recentHistory,
  type WorkflowRecord,
} from './workflow-queries.js';
import type { HistoryEntry } from './workflow-store.js';
import { parseId } from '../shared/domain/ids.js';
import { formatIsoDuration } from '../shared/domain/iso-duration.js';
import { describePlan } from './domain/compensation-plan.js';
import { deriveWorkflow, type StepView } from './domain/derive.js';
import type { OrderFacts, WorkflowState } from './domain/state.js';
import { executionOrder, isStepName, type StepName, type WorkflowTemplate } from './domain/template.js';
import { coordinationError } from '../shared/errors.js';
import type { compensateBody } from './saga-routes.js';
import type { cancelBody, retryBody, startBody } from './workflow-routes.js';
import type { OrdersClient } from './orders-client.js';
import type { WorkflowEngine } from './workflow-engine.js';
import { withTraceLink } from '../shared/domain/trace-link.js';
import {
  compensationSteps,
  estimatedCompletion,
  sagaDocument,
  statusDocument,
  stepDocuments,
  type Estimates,
} from './workflow-document.js';

/** A workflow start as POST /workflows/order/start sends it (shippingMethod STANDARD when omitted). */
export type StartOrderInput = SchemaType<typeof startBody>;
export type CancelInput = SchemaType<typeof cancelBody>;
export type RetryInput = SchemaType<typeof retryBody>;
export type CompensateInput = SchemaType<typeof compensateBody>;

export interface WorkflowServiceDeps {
  engine: WorkflowEngine;
  orders: OrdersClient;
  prisma: Db;
  transaction: <T>(fn: (tx: Db) => Promise<T>) => Promise<T>;
  now?: () => Date;
  /** How far back the estimates look, and how long they are reused. */
  estimateWindowMs?: number;
  estimateCacheMs?: number;
  /** TRACE_URL_TEMPLATE: the status document links to the workflow's trace. */
  traceUrlTemplate?: string;
}

const FINISHED = ['COMPLETED', 'COMPENSATED', 'CANCELLED', 'FAILED'];
/** Every seed example is in US dollars; an order that names no currency is in them. */
export const DEFAULT_CURRENCY = 'USD';
export const DEFAULT_SHIPPING_METHOD = 'STANDARD';
const REASON_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

/**
 * Seed 001 sends a reason code (CUSTOMER_REQUESTED), seed 000 a sentence ("Customer requested
 * cancellation"): a sentence becomes the details, under the code `<initiatedBy>_REQUESTED`.
 */
export function cancellationReason(input: { reason: string; reasonDetails?: string; initiatedBy: string }): {
  code: string;
  details: string | null;
} {
  const reason = input.reason.trim();
  if (REASON_CODE.test(reason)) return { code: reason, details: input.reasonDetails ?? null };
  return {
    code: `${input.initiatedBy}_REQUESTED`,
    details: input.reasonDetails ? `${reason}: ${input.reasonDetails}` : reason,
  };
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function decimalText(value: string | number | undefined): string | undefined {
  return value === undefined ? undefined : typeof value === 'number' ? String(value) : value;
}

/**
 * Why a workflow whose saga is compensating or compensated because a step failed cannot do what was
 * asked: WORKFLOW_EXECUTION_FAILED naming the step (seed 001's example), or COMPENSATION_FAILED once
 * the compensation itself failed. Null for a workflow that did not fail.
 */
function failureOf(record: WorkflowRecord, action: string): AppError | null {
  const state = record.context as unknown as WorkflowState;
  if (record.status === 'FAILED') {
    return coordinationError(
      'COMPENSATION_FAILED',
      `Workflow ${record.id} failed: its compensation did not complete, so it cannot be ${action}; compensate the saga again`,
      {
        workflowId: record.id,
        sagaId: record.saga?.id ?? null,
        failedStep: state.trigger?.step ?? null,
        status: record.status,
      },
    );
  }
  const trigger = state.trigger;
  if (!trigger || (trigger.kind !== 'FAILURE' && trigger.kind !== 'TIMEOUT')) return null;
  return coordinationError(
    'WORKFLOW_EXECUTION_FAILED',
    `Workflow failed at step ${trigger.step ?? 'unknown'}; it cannot be ${action}`,
    {
      workflowId: record.id,
      failedStep: trigger.step,
      stepError: trigger.error?.message ?? trigger.reason,
      compensationTriggered: true,
      status: record.status,
    },
  );
}

/**
 * Refuses a retry of a workflow that has nothing to retry. A running workflow has; so has a completed order
 * whose non-critical step failed for good (the customer's notification), which may have that step redone,
 * and a workflow stopped by a step whose failure started the compensation, as long as nothing of the
 * compensation took effect (see `assertFailedStepRetriable`): the compensation is called off.
 */
function assertRetriable(
  record: WorkflowRecord,
  view: ReturnType<typeof deriveWorkflow>,
  failedCritical: boolean,
): void {
  const failedNonCritical = view.steps.some(
    (candidate) => candidate.status === 'FAILED' && !candidate.critical,
  );
  const retriable =
    record.status === 'STARTED' ||
    record.status === 'IN_PROGRESS' ||
    (record.status === 'COMPLETED' && failedNonCritical) ||
    failedCritical;
  if (!retriable) {
    const failure = failureOf(record, 'retried');
    if (failure) throw failure;
    throw coordinationError(
      'INVALID_WORKFLOW_STATE',
      `Workflow ${record.id} is ${record.status}; only a running workflow, a failed step that did not stop it, or the step whose failure stopped it can be retried`,
      {
        workflowId: record.id,
        status: record.status,
      },
    );
  }
}

/** A fromStep that is not a step of the workflow's template: 400 naming the steps it has. */
function unknownStep(template: WorkflowTemplate): AppError {
  return new AppError(
    'INVALID_REQUEST',
    `body.fromStep must be one of ${template.steps.map((s) => s.name).join(', ')}`,
    {
      details: {
        fields: [{ field: 'body.fromStep', rule: 'enum', message: 'is not a step of the workflow' }],
      },
    },
  );
}

function workflowNotFound(id: string): AppError {
  return coordinationError('WORKFLOW_NOT_FOUND', `Workflow ${id} does not exist`, { workflowId: id });
}

/** An order the order service has: placed by the workflow's start, or placed before and followed. */
interface PlacedOrder {
  orderId: string;
  totalAmount: string | null;
  currency: string | null;
}

/** The order as the workflow keeps it: the start's request, with the total and currency the order service has. */
function orderFacts(
  input: StartOrderInput,
  customerId: string,
  shippingMethod: string,
  placed: PlacedOrder,
): OrderFacts {
  return {
    customerId,
    customerEmail: input.customerEmail ?? null,
    totalAmount: placed.totalAmount ?? decimalText(input.paymentMethod.amount) ?? null,
    currency: placed.currency ?? input.currency ?? input.paymentMethod.currency ?? DEFAULT_CURRENCY,
    priority: input.options?.priority ?? 'NORMAL',
    itemCount: input.items.reduce((sum, item) => sum + item.quantity, 0),
    shippingMethod,
    paymentMethod: input.paymentMethod.type,
    metadata: { ...(input.metadata ?? {}) },
    lines: input.items.map((item) => ({
      productId: parseAnyId(item.productId, 'prod') ?? item.productId,
      quantity: item.quantity,
      warehouseId: item.warehouseId ?? null,
    })),
    shippingAddress: { ...input.shippingAddress },
  };
}

/** The workflow API's use cases: start, status, cancel, retry, compensate, and the saga view. */
export class WorkflowService {
  private readonly now: () => Date;
  private estimates: { at: number; value: Estimates } | null = null;

  constructor(private readonly deps: WorkflowServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** The order fulfilment template (the one POST /workflows/order/start runs). */
  get template(): WorkflowTemplate {
    return this.deps.engine.template;
  }

  /** The template of a workflow's type. */
  private templateOf(record: { workflowType: string }): WorkflowTemplate {
    return this.deps.engine.templateFor(record.workflowType);
  }

  /** Historical averages for the estimates, refreshed at most every `estimateCacheMs`. */
  async currentEstimates(): Promise<Estimates> {
    const cacheMs = this.deps.estimateCacheMs ?? 30_000;
    if (this.estimates && Date.now() - this.estimates.at < cacheMs) return this.estimates.value;
    const since = new Date(this.now().getTime() - (this.deps.estimateWindowMs ?? 30 * 86_400_000));
    const value = await averageDurations(this.deps.prisma, this.template.type, since);
    this.estimates = { at: Date.now(), value };
    return value;
  }

  private async record(db: Db, rawId: string): Promise<WorkflowRecord> {
    const id = parseId(rawId, ['wf', 'ord', 'ret']);
    if (!id) throw workflowNotFound(rawId);
    const record = await findWorkflowRecord(db, this.template.type, id);
    if (!record || !record.saga) throw workflowNotFound(rawId);
    return record;
  }

  async status(rawId: string) {
    const record = await this.record(this.deps.prisma, rawId);
    const history = await recentHistory(this.deps.prisma, record.id, 200);
    const document = statusDocument(this.templateOf(record), record, history, await this.currentEstimates());
    return withTraceLink(document, this.deps.traceUrlTemplate);
  }

  async saga(rawId: string) {
    const id = parseId(rawId, ['saga']);
    const record = id ? await findSagaRecord(this.deps.prisma, id) : null;
    if (!record || !record.saga)
      throw coordinationError('SAGA_NOT_FOUND', `Saga ${rawId} does not exist`, { sagaId: rawId });
    const history = await recentHistory(this.deps.prisma, record.id, 200);
    return sagaDocument(this.templateOf(record), record, history);
  }

  /**
   * POST /workflows/order/start. A new order is handed to the order service (which validates, prices and
   * stores it); the workflow is created at once and follows the order's events. With `orderId`, the order
   * was placed already and the workflow follows it. An idempotency key replays the first answer for the
   * same body and refuses another body (409 WORKFLOW_ALREADY_EXISTS).
   */
  async start(
    principal: Principal,
    input: StartOrderInput,
    idempotencyKey: string | null,
    traceparent: string | null,
  ): Promise<{ replayed: boolean; body: Record<string, unknown> }> {
    const requestHash = createHash('sha256').update(canonical(input)).digest('hex');
    if (idempotencyKey) {
      const previous = await this.previousStart(principal.sub, idempotencyKey);
      if (previous) return this.replay(previous, requestHash);
    }
    const customerId = parseId(input.customerId, ['cust'])!;
    const shippingMethod = input.shippingMethod ?? DEFAULT_SHIPPING_METHOD;
    const requestedOrderId = input.orderId ? parseId(input.orderId, ['ord'])! : null;
    const followed = requestedOrderId
      ? await this.followedOrder(principal, customerId, requestedOrderId, traceparent)
      : null;
    const placed =
      followed ??
      (await this.placeOrder(
        principal,
        input,
        { customerId, shippingMethod, requestedOrderId },
        idempotencyKey,
        traceparent,
      ));
    const order = orderFacts(input, customerId, shippingMethod, placed);
    return this.createWorkflow(
      principal,
      placed.orderId,
      order,
      { idempotencyKey, requestHash },
      traceparent,
    );
  }

  /** The answer stored for the caller's idempotency key, if it started a workflow already. */
  private previousStart(callerId: string, idempotencyKey: string) {
    return this.deps.prisma.workflowStartRequest.findUnique({
      where: { callerId_idempotencyKey: { callerId, idempotencyKey } },
    });
  }

  /**
   * The order a start names, when the order service has it already: it must be the caller's customer's
   * (the order service decides whose order it is), and no workflow may have been started for it yet.
   * Null for an order the order service does not know (it is placed under that id).
   */
  private async followedOrder(
    principal: Principal,
    customerId: string,
    requestedOrderId: string,
    traceparent: string | null,
  ): Promise<PlacedOrder | null> {
    let followed: PlacedOrder | null = null;
    // The order service decides whose order it is: a workflow is only ever attached to the caller's.
    const known = await this.deps.orders.findOrder(requestedOrderId, traceparent);
    if (known) {
      if (known.customerId !== customerId) {
        if (principal.roles.includes('admin') || principal.roles.includes('service')) {
          throw invalidFields([
            {
              field: 'body.customerId',
              rule: 'const',
              message: `is not the customer of order ${requestedOrderId}`,
            },
          ]);
        }
        throw insufficientPermissions(`Order ${requestedOrderId} is not one of your orders`, {
          field: 'body.orderId',
        });
      }
      followed = { orderId: requestedOrderId, totalAmount: known.totalAmount, currency: known.currency };
    }
    const existing = await findWorkflowRecord(this.deps.prisma, this.template.type, requestedOrderId);
    if (existing && (existing.context as unknown as WorkflowState).request) {
      throw coordinationError(
        'WORKFLOW_ALREADY_EXISTS',
        `A workflow for order ${requestedOrderId} was already started`,
        { workflowId: existing.id, orderId: requestedOrderId },
      );
    }
    return followed;
  }

  /**
   * Hands the order to the order service (under the requested id, if any), with an idempotency key of its
   * own so that the same start never places two orders; the answer must name the caller's customer.
   */
  private async placeOrder(
    principal: Principal,
    input: StartOrderInput,
    start: { customerId: string; shippingMethod: string; requestedOrderId: string | null },
    idempotencyKey: string | null,
    traceparent: string | null,
  ): Promise<PlacedOrder> {
    const { customerId, shippingMethod, requestedOrderId } = start;
    const { orderId: _omit, customerEmail, ...order } = input;
    const body = {
      ...order,
      ...(requestedOrderId ? { orderId: requestedOrderId } : {}),
      customerId,
      shippingMethod,
      ...(input.currency === undefined && input.paymentMethod.currency === undefined
        ? { currency: DEFAULT_CURRENCY }
        : {}),
      ...(customerEmail ? { customerEmail } : {}),
      items: input.items.map(({ price, unitPrice, ...item }) => ({
        ...item,
        ...((unitPrice ?? price) !== undefined ? { unitPrice: decimalText(unitPrice ?? price) } : {}),
      })),
    };
    const key = idempotencyKey
      ? `coordination-${createHash('sha256').update(`${principal.sub}\n${idempotencyKey}`).digest('hex').slice(0, 48)}`
      : `coordination-${requestedOrderId ?? randomUUID()}`;
    const result = await this.deps.orders.placeOrder(body, key, traceparent);
    if (requestedOrderId && result.orderId !== requestedOrderId) {
      throw coordinationError(
        'WORKFLOW_EXECUTION_FAILED',
        `The order service placed the order under ${result.orderId}, not under the requested ${requestedOrderId}`,
        { orderId: requestedOrderId, placedAs: result.orderId, service: 'orders' },
      );
    }
    // The order service refuses another customer's id (409); an answer naming another customer is
    // never followed all the same.
    if (result.customerId && parseId(result.customerId, ['cust']) !== customerId) {
      throw insufficientPermissions(`Order ${result.orderId} is not one of your orders`, {
        field: 'body.orderId',
      });
    }
    return { orderId: result.orderId, totalAmount: result.totalAmount, currency: result.currency };
  }

  /**
   * Creates the workflow of the order and, with an idempotency key, stores its answer in the same
   * transaction; the same key racing with itself gets the first answer.
   */
  private async createWorkflow(
    principal: Principal,
    orderId: string,
    order: OrderFacts,
    request: { idempotencyKey: string | null; requestHash: string },
    traceparent: string | null,
  ): Promise<{ replayed: boolean; body: Record<string, unknown> }> {
    const { idempotencyKey, requestHash } = request;
    try {
      return await this.deps.transaction(async (tx) => {
        const change = await this.deps.engine.start(
          tx,
          orderId,
          { kind: 'start', at: this.now().getTime(), order, requestedBy: principal.sub },
          { causationId: null, traceparent },
        );
        const record = (await findWorkflowRecord(tx, this.template.type, change.workflow.id))!;
        const body = this.startDocument(record, await this.currentEstimates());
        if (idempotencyKey) {
          await tx.workflowStartRequest.create({
            data: {
              callerId: principal.sub,
              idempotencyKey,
              requestHash,
              workflowId: record.id,
              response: body,
            },
          });
        }
        return { replayed: false, body };
      });
    } catch (error) {
      // The same key raced with itself: the first answer stands.
      if (idempotencyKey && (error as { code?: string }).code === 'P2002') {
        const previous = await this.previousStart(principal.sub, idempotencyKey);
        if (previous) return this.replay(previous, requestHash);
      }
      throw error;
    }
  }

  private replay(
    previous: { requestHash: string; workflowId: string; response: unknown },
    requestHash: string,
  ) {
    if (previous.requestHash !== requestHash) {
      throw coordinationError(
        'WORKFLOW_ALREADY_EXISTS',
        'This X-Idempotency-Key already started a workflow with a different request',
        { workflowId: previous.workflowId, reason: 'IDEMPOTENCY_KEY_REUSED' },
      );
    }
    return { replayed: true, body: previous.response as Record<string, unknown> };
  }

  private startDocument(record: WorkflowRecord, estimates: Estimates) {
    const state = record.context as unknown as WorkflowState;
    return {
      workflowId: record.id,
      workflowType: record.workflowType,
      status: record.status,
      orderId: record.correlationId,
      customerId: record.customerId,
      currentStep: record.currentStep,
      estimatedCompletion: estimatedCompletion(record, estimates),
      steps: stepDocuments(this.templateOf(record), record, estimates),
      saga: {
        sagaId: record.saga!.id,
        state: record.saga!.status,
        compensationPlan: describePlan(this.templateOf(record), state)
          .filter((entry) => entry.step !== 'CANCEL_ORDER')
          .map((entry) => entry.step),
      },
      timeline: { started: record.startedAt.toISOString(), lastUpdate: record.updatedAt.toISOString() },
      createdAt: record.createdAt.toISOString(),
    };
  }

  /** POST /workflows/{id}/cancel: compensation of what was done, the order cancelled, the customer told. */
  async cancel(rawId: string, input: CancelInput, principal: Principal, traceparent: string | null) {
    const record = await this.record(this.deps.prisma, rawId);
    const state = record.context as unknown as WorkflowState;
    if (record.status === 'CANCELLING' && state.trigger?.kind === 'CANCELLATION') {
      return this.cancelDocument(record, input, await this.currentEstimates());
    }
    if (FINISHED.includes(record.status) || record.status === 'COMPENSATING') {
      const failure = failureOf(record, 'cancelled');
      if (failure) throw failure;
      throw coordinationError(
        'INVALID_WORKFLOW_STATE',
        `Workflow ${record.id} is ${record.status} and cannot be cancelled`,
        {
          workflowId: record.id,
          status: record.status,
        },
      );
    }
    const view = deriveWorkflow(this.templateOf(record), state);
    const fulfilling =
      view.steps.find((step) => step.name === 'SHIPPING_LABEL_CREATION')!.status === 'COMPLETED';
    if (fulfilling && !input.force) {
      throw coordinationError(
        'INVALID_WORKFLOW_STATE',
        `Workflow ${record.id} has a shipping label already; cancelling it means voiding the label and giving the payment back: send force: true`,
        { workflowId: record.id, status: record.status, reason: 'FULFILLMENT_STARTED', field: 'body.force' },
      );
    }
    const at = this.now().getTime();
    const reason = cancellationReason(input);
    const history: HistoryEntry[] = [
      {
        eventType: 'CANCELLATION_REQUESTED',
        payload: {
          details: `Cancellation requested by ${input.initiatedBy}: ${reason.details ?? reason.code}`,
          requestedBy: principal.sub,
          ...input,
          reason: reason.code,
          reasonDetails: reason.details,
        },
        occurredAt: new Date(at),
      },
    ];
    const change = await this.deps.transaction((tx) =>
      this.deps.engine.command(
        tx,
        record.id,
        {
          kind: 'cancel',
          at,
          reason: reason.code,
          initiatedBy: input.initiatedBy,
          details: reason.details,
          force: input.force ?? false,
        },
        { causationId: null, traceparent },
        history,
      ),
    );
    if (!change) throw workflowNotFound(rawId);
    const updated = (await findWorkflowRecord(this.deps.prisma, this.template.type, record.id))!;
    return this.cancelDocument(updated, input, await this.currentEstimates());
  }

  private cancelDocument(record: WorkflowRecord, input: CancelInput, estimates: Estimates) {
    const state = record.context as unknown as WorkflowState;
    const actions = ((record.saga!.compensationState as { actions?: unknown[] } | null)?.actions ??
      []) as Parameters<typeof compensationSteps>[1];
    const planned = new Set(actions.map((action) => action.action));
    const notApplicable = describePlan(this.templateOf(record), state)
      .filter((entry) => !planned.has(entry.step as never))
      .map((entry) => ({ step: entry.step, status: 'NOT_APPLICABLE', description: entry.description }));
    const payment = actions.find((action) => action.slot === 'PAYMENT');
    const paid = record.steps.find((step) => step.stepName === 'PAYMENT_PROCESSING')?.output as {
      amount?: string;
      currency?: string;
    } | null;
    return {
      workflowId: record.id,
      status: record.status,
      cancelledAt: new Date(state.trigger?.at ?? this.now().getTime()).toISOString(),
      reason: state.trigger?.reason ?? cancellationReason(input).code,
      reasonDetails: state.trigger?.details ?? cancellationReason(input).details,
      saga: {
        sagaId: record.saga!.id,
        state: record.saga!.status,
        compensationSteps: [...compensationSteps(this.templateOf(record), actions), ...notApplicable],
      },
      estimatedCompensationTime:
        estimates.compensation === null ? null : formatIsoDuration(estimates.compensation),
      refund: {
        eligible: payment !== undefined,
        amount: payment ? (paid?.amount ?? null) : null,
        currency: payment ? (paid?.currency ?? null) : null,
        method: payment ? 'ORIGINAL_PAYMENT_METHOD' : null,
      },
    };
  }

  /** POST /workflows/{id}/retry: the owner of the step is asked (StepRetryRequested) to perform it again. */
  async retry(rawId: string, input: RetryInput, principal: Principal, traceparent: string | null) {
    const record = await this.record(this.deps.prisma, rawId);
    const state = record.context as unknown as WorkflowState;
    const view = deriveWorkflow(this.templateOf(record), state);
    const failedCritical = state.trigger?.kind === 'FAILURE' || state.trigger?.kind === 'TIMEOUT';
    assertRetriable(record, view, failedCritical);
    if (failedCritical) this.assertFailedStepRetriable(record, state, view, input.fromStep);
    const step =
      input.fromStep !== undefined
        ? this.namedStep(record, view, input.fromStep)
        : this.stepToRetry(record, view);
    const definition = this.templateOf(record).steps.find((candidate) => candidate.name === step.name)!;
    if (step.attempts >= definition.retryPolicy.maxAttempts) {
      throw coordinationError(
        'INVALID_WORKFLOW_STATE',
        `Step ${step.name} already had ${step.attempts} attempts (at most ${definition.retryPolicy.maxAttempts})`,
        {
          workflowId: record.id,
          step: step.name,
          attempts: step.attempts,
          reason: 'RETRY_LIMIT_REACHED',
        },
      );
    }
    const at = this.now().getTime();
    const reason = input.metadata?.retryReason
      ? `MANUAL_RETRY: ${input.metadata.retryReason}`
      : 'MANUAL_RETRY';
    const change = await this.deps.transaction((tx) =>
      this.deps.engine.command(
        tx,
        record.id,
        {
          kind: 'retry',
          at,
          step: step.name as StepName,
          reason,
          requestedBy: input.metadata?.initiatedBy ?? principal.sub,
          eventId: randomUUID(),
          resetState: input.resetState ?? false,
        },
        { causationId: null, traceparent },
        [],
      ),
    );
    if (!change) throw workflowNotFound(rawId);
    const after = change.reduction.view;
    return {
      workflowId: record.id,
      status: after.status,
      retryAttempt: after.steps.find((candidate) => candidate.name === step.name)!.attempts,
      resumedAt: new Date(at).toISOString(),
      currentStep: step.name,
      resetState: input.resetState ?? false,
    };
  }

  /** The step a retry names: a step of the workflow's template, in progress or failed (failed once the workflow completed). */
  private namedStep(
    record: WorkflowRecord,
    view: ReturnType<typeof deriveWorkflow>,
    fromStep: string,
  ): StepView {
    if (!isStepName(fromStep, this.templateOf(record))) {
      throw unknownStep(this.templateOf(record));
    }
    const step = view.steps.find((candidate) => candidate.name === fromStep);
    if (
      !step ||
      (step.status !== 'IN_PROGRESS' && step.status !== 'FAILED') ||
      (record.status === 'COMPLETED' && step.status !== 'FAILED')
    ) {
      throw coordinationError(
        'INVALID_WORKFLOW_STATE',
        `Step ${fromStep} is ${step?.status ?? 'unknown'}; only a step in progress or failed can be retried`,
        {
          workflowId: record.id,
          step: fromStep,
          stepStatus: step?.status ?? null,
          field: 'body.fromStep',
        },
      );
    }
    return step;
  }

  /** The step a retry that names none is for: the first failed one in execution order, else the first in progress. */
  private stepToRetry(record: WorkflowRecord, view: ReturnType<typeof deriveWorkflow>): StepView {
    const ordered = executionOrder(this.templateOf(record)).map((definition) =>
      view.steps.find((s) => s.name === definition.name)!,
    );
    const step =
      ordered.find((candidate) => candidate.status === 'FAILED') ??
      ordered.find((candidate) => candidate.status === 'IN_PROGRESS');
    if (!step) {
      throw coordinationError(
        'INVALID_WORKFLOW_STATE',
        `Workflow ${record.id} has no failed step and no step in progress`,
        {
          workflowId: record.id,
        },
      );
    }
    return step;
  }

  /**
   * A workflow whose critical step failed may have that step retried while nothing of its compensation
   * has taken effect (the requests may be out, unanswered): the retry calls the compensation off. Once an
   * owner undid something — the order cancelled, the stock released, the payment voided, the customer
   * told — the step cannot be redone on top of it: 422 naming what was undone.
   */
  private assertFailedStepRetriable(
    record: WorkflowRecord,
    state: WorkflowState,
    view: ReturnType<typeof deriveWorkflow>,
    fromStep: string | undefined,
  ): void {
    const trigger = state.trigger!;
    const failedStep = trigger.step;
    if (fromStep !== undefined && isStepName(fromStep, this.templateOf(record)) && fromStep !== failedStep) {
      throw coordinationError(
        'INVALID_WORKFLOW_STATE',
        `Workflow ${record.id} failed at step ${failedStep ?? 'unknown'}; only that step can be retried`,
        { workflowId: record.id, step: fromStep, failedStep, field: 'body.fromStep' },
      );
    }
    const otherFailures = view.steps
      .filter((step) => step.critical && step.status === 'FAILED' && step.name !== failedStep)
      .map((step) => step.name);
    const cancelled = state.answers.some((answer) => answer.name === 'OrderCancelled');
    const undone = view.actions.filter((action) => action.status === 'COMPENSATED');
    const orderCancelled = cancelled || undone.some((action) => action.slot === 'ORDER');
    if (orderCancelled || undone.length > 0 || otherFailures.length > 0 || failedStep === null) {
      const reason = orderCancelled
        ? 'ORDER_CANCELLED'
        : otherFailures.length > 0
          ? 'OTHER_STEPS_FAILED'
          : 'COMPENSATION_APPLIED';
      const why =
        reason === 'ORDER_CANCELLED'
          ? `its compensation cancelled order ${record.correlationId}; place a new order instead`
          : reason === 'OTHER_STEPS_FAILED'
            ? `steps ${otherFailures.join(', ')} failed too`
            : `its compensation already undid ${undone.map((action) => action.action).join(', ')}`;
      throw coordinationError(
        'WORKFLOW_EXECUTION_FAILED',
        `Workflow failed at step ${failedStep ?? 'unknown'} and cannot be retried: ${why}`,
        {
          workflowId: record.id,
          failedStep,
          stepError: trigger.error?.message ?? trigger.reason,
          compensationTriggered: true,
          status: record.status,
          reason,
          compensationExecuted: undone.map((action) => action.action),
          ...(reason === 'OTHER_STEPS_FAILED' ? { failedSteps: otherFailures } : {}),
        },
      );
    }
  }

  /** POST /sagas/{id}/compensate. */
  async compensate(
    rawSagaId: string,
    input: CompensateInput,
    principal: Principal,
    traceparent: string | null,
  ) {
    const id = parseId(rawSagaId, ['saga']);
    const record = id ? await findSagaRecord(this.deps.prisma, id) : null;
    if (!record || !record.saga)
      throw coordinationError('SAGA_NOT_FOUND', `Saga ${rawSagaId} does not exist`, { sagaId: rawSagaId });
    const sagaStatus = record.saga.status;
    const allowed =
      sagaStatus === 'ACTIVE' ||
      sagaStatus === 'COMPENSATION_FAILED' ||
      (sagaStatus === 'COMPLETED' && input.forceCompensation);
    if (!allowed) {
      throw coordinationError(
        'INVALID_WORKFLOW_STATE',
        sagaStatus === 'COMPLETED'
          ? `Saga ${record.saga.id} completed; compensating a completed saga needs forceCompensation: true`
          : `Saga ${record.saga.id} is ${sagaStatus} and cannot be compensated now`,
        {
          sagaId: record.saga.id,
          state: sagaStatus,
          ...(sagaStatus === 'COMPLETED' ? { field: 'body.forceCompensation' } : {}),
        },
      );
    }
    if (input.fromStep !== undefined && !isStepName(input.fromStep, this.templateOf(record))) {
      throw unknownStep(this.templateOf(record));
    }
    const at = this.now().getTime();
    const change = await this.deps.transaction((tx) =>
      this.deps.engine.command(
        tx,
        record.id,
        {
          kind: 'compensate',
          at,
          reason: input.reason,
          fromStep: (input.fromStep as StepName | undefined) ?? null,
          initiatedBy: input.metadata?.initiatedBy ?? principal.sub,
          force: input.forceCompensation ?? false,
        },
        { causationId: null, traceparent },
        [
          {
            eventType: 'COMPENSATION_REQUESTED_BY_OPERATOR',
            payload: { details: `Compensation requested by ${principal.sub}: ${input.reason}`, ...input },
            occurredAt: new Date(at),
          },
        ],
      ),
    );
    if (!change)
      throw coordinationError('SAGA_NOT_FOUND', `Saga ${rawSagaId} does not exist`, { sagaId: rawSagaId });
    const updated = (await findSagaRecord(this.deps.prisma, record.saga.id))!;
    const actions = ((updated.saga!.compensationState as { actions?: unknown[] } | null)?.actions ??
      []) as Parameters<typeof compensationSteps>[1];
    const requested = change.reduction.effects.find((effect) => effect.type === 'compensation-requested');
    const estimates = await this.currentEstimates();
    return {
      sagaId: updated.saga!.id,
      state: updated.saga!.status,
      compensationId: requested?.type === 'compensation-requested' ? requested.eventId : null,
      compensationSteps: compensationSteps(this.templateOf(record), actions),
      estimatedCompletionTime:
        estimates.compensation === null ? null : formatIsoDuration(estimates.compensation),
    };
  }
}
