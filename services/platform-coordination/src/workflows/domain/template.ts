import type { CompensationAction, EventName } from '@fv/contracts';

/** The order fulfilment saga's steps (other workflow types name theirs in their templates). */
export const STEP_NAMES = [
  'INVENTORY_RESERVATION',
  'PAYMENT_PROCESSING',
  'ORDER_CONFIRMATION',
  'FULFILLMENT_PREPARATION',
  'SHIPPING_LABEL_CREATION',
  'CUSTOMER_NOTIFICATION',
] as const;
/** A step of some template: which names exist depends on the workflow's type. */
export type StepName = string;

export function isStepName(value: string, template?: WorkflowTemplate): value is StepName {
  return template
    ? template.steps.some((step) => step.name === value)
    : (STEP_NAMES as readonly string[]).includes(value);
}

/**
 * Which field of an event names the workflow it belongs to (its correlation key): the first rule that
 * applies to the event and finds a non-empty value wins.
 */
export interface CorrelationRule {
  /** Only this event (any event with the field when absent). */
  event?: EventName;
  field: string;
  where?: { field: string; in: string[] };
}

/** How often and how far apart an operator (or a participant) may make a step run again. */
export interface RetryPolicy {
  maxAttempts: number;
  backoffMultiplier: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
}

/** A platform event that settles a step, with the fields of it the step keeps as its result. */
export interface StepEventRule {
  event: EventName;
  /** Only events whose field has one of these values count (e.g. the notification's template). */
  where?: { field: string; in: string[] };
  /** Result keys the event contributes (see `event-facts.ts`). */
  result: string[];
  /** For failures: the reason compensation runs for, as CompensationRequested.reason carries it. */
  reason?: string;
  /** For failures: a field that, when true, says the owner retries on its own (an attempt failed, not the step). */
  retriableField?: string;
  /** For failures: the event's field that gives the reason (instead of `reason`), e.g. OrderFailed.reason. */
  reasonField?: string;
}

export interface StepDefinition {
  name: StepName;
  description: string;
  /** Service that performs the step. */
  service: string;
  /** Steps that must complete before this one starts; an event of this step implies they did. */
  after: StepName[];
  completedBy: StepEventRule[];
  failedBy: StepEventRule[];
  /** Longest the step may stay in progress before it fails with STEP_TIMEOUT; null: only the workflow's timeout. */
  timeoutMs: number | null;
  /**
   * A critical step that fails triggers the compensation of the workflow. A non-critical one (the
   * customer's notification) is retried by its owner and never compensates anything: when it fails for
   * good the workflow still completes.
   */
  critical: boolean;
  /**
   * What a critical step's failure does: COMPENSATE (the default) starts the template's compensation;
   * HOLD leaves the workflow open with the step FAILED and flags it for an operator, who may retry it
   * (a refund the order service gave up on).
   */
  onFailure?: 'COMPENSATE' | 'HOLD';
  retryPolicy: RetryPolicy;
}

/** When a compensation applies (evaluated on the workflow's facts, see `compensation-plan.ts`). */
export type CompensationCondition =
  | 'IF_ORDER_OPEN'
  | 'IF_SHIPMENT_REQUESTED'
  | 'IF_PAYMENT_AUTHORIZED'
  | 'IF_PAYMENT_CAPTURED'
  | 'IF_INVENTORY_RESERVED'
  | 'ALWAYS';

/** What compensating is about: a failed step, a timeout, a cancellation, or an operator's request. */
export type TriggerKind = 'FAILURE' | 'TIMEOUT' | 'CANCELLATION' | 'MANUAL';

/** An event a participant answers a compensation with, and what it means. */
export interface AnswerRule {
  event: EventName;
  /** Outcome of the compensation; `outcomeField` maps the event's field value to one when present. */
  outcome: 'COMPENSATED' | 'FAILED';
  outcomeField?: { field: string; failedWhen: string[] };
  where?: { field: string; in: string[] };
  /**
   * Whether the event settles the compensation even when it was not caused by one of our requests
   * (the participant undid the step on its own, e.g. a customer cancelled through the order service).
   */
  settlesUnrequested: boolean | { field: string; notIn: string[] } | { field: string; in: string[] };
}

export interface CompensationDefinition {
  /** Slot in the plan: one action per slot (the payment is voided or refunded, not both). */
  slot: 'ORDER' | 'SHIPMENT' | 'PAYMENT' | 'INVENTORY' | 'CUSTOMER';
  /** The action, or the alternatives by condition (the first that applies is taken). */
  actions: { action: CompensationAction; condition: CompensationCondition }[];
  /** Step whose work it undoes (null: the order itself, or the customer). */
  step: StepName | null;
  service: string;
  description: string;
  /** Only for these triggers (all when absent). */
  triggers?: TriggerKind[];
  /** A critical compensation that fails makes the saga COMPENSATION_FAILED. */
  critical: boolean;
  /** Parameters sent with the request: parameter name -> fact path. */
  parameters: Record<string, string>;
  answeredBy: AnswerRule[];
}

export interface WorkflowTemplate {
  /** The event that opens the workflow (with the order's details, for OrderCreated). */
  openingEvent: EventName;
  /** How an event names its workflow of this type (e.g. its orderId, its returnId). */
  correlation: CorrelationRule[];
  /**
   * Seed prefixes the correlation key may carry (`ord-<uuid>`): with some, a key that is not such an id
   * is an invalid event; with none, a UUID is lower-cased and any other value kept as it is.
   */
  keyPrefixes: ('ord' | 'cust')[];
  /** Business references the workflow keeps from its events (first value seen), e.g. returnId, orderId. */
  references: string[];
  /**
   * Events that fail the workflow wherever it stands: they fail its current step (the first critical one
   * not done), e.g. ReplenishmentFailed, or OrderFailed when the order service gave up on its own.
   */
  failedBy: StepEventRule[];
  /** Events that mean the order was cancelled outside the saga (e.g. by the customer through the order service). */
  cancelledBy: EventName[];
  templateId: string;
  name: string;
  type: string;
  sagaType: string;
  version: string;
  description: string;
  /** Longest the whole workflow may take before its current step fails with WORKFLOW_TIMEOUT. */
  timeoutMs: number;
  /** In the order the seed lists them; `after` gives the order they run in. */
  steps: StepDefinition[];
  /**
   * In the order they run (for orders: stop the order, undo the steps in reverse, then tell the
   * customer). A template with none ends FAILED when a critical step fails: nothing to undo.
   */
  compensations: CompensationDefinition[];
  /**
   * An unanswered request is asked again after `timeoutMs`, then after `timeoutMs × backoffMultiplier`
   * and so on (at most `maxIntervalMs` apart), `maxRetries` times, then given up.
   */
  compensationPolicy: {
    timeoutMs: number;
    maxRetries: number;
    backoffMultiplier: number;
    maxIntervalMs: number;
  };
  active: boolean;
}

export interface TemplateSettings {
  workflowTimeoutMs: number;
  inventoryReservationTimeoutMs: number;
  paymentProcessingTimeoutMs: number;
  retry: RetryPolicy;
  compensationTimeoutMs: number;
  compensationMaxRetries: number;
  /** Longest wait between two requests of one compensation (default: the timeout, i.e. no backoff cap above it × 2^retries). */
  compensationMaxIntervalMs?: number;
  /** Timeouts of the other workflow types, by type (their templates' defaults when absent). */
  workflowTimeoutsMs?: Record<string, number>;
}

/** Notification templates that tell the customer the order was confirmed, and that it was cancelled. */
export const CONFIRMATION_NOTICES = ['order-confirmed'];
export const CANCELLATION_NOTICES = ['order-cancellation-notice', 'order-cancelled', 'order-failed'];

/**
 * CompensationOutcome values (its `outcome` field): every one but REJECTED satisfies the request — undone
 * now, undone before, or nothing to undo (unknown order, reservation, payment or shipment).
 */
export const SATISFIED_OUTCOMES = ['DONE', 'ALREADY_DONE', 'NOT_APPLICABLE'] as const;
export const REJECTED_OUTCOME = 'REJECTED';

/**
 * The owner's CompensationOutcome answers the request it names (`requestEventId`), and only that one:
 * it never settles an action on its own.
 */
function outcomeAnswer(actions: CompensationAction[]): AnswerRule {
  return {
    event: 'CompensationOutcome',
    outcome: 'COMPENSATED',
    outcomeField: { field: 'outcome', failedWhen: [REJECTED_OUTCOME] },
    where: { field: 'action', in: actions },
    settlesUnrequested: false,
  };
}

export const ORDER_FULFILLMENT = 'ORDER_FULFILLMENT';
/** An order's events name it by their orderId (a return's refund too: it also concerns the order). */
export const ORDER_CORRELATION: CorrelationRule[] = [{ field: 'orderId' }];
export const ORDER_FULFILLMENT_VERSION = '1.0';

function inventoryReservationStep(settings: TemplateSettings): StepDefinition {
  return {
    name: 'INVENTORY_RESERVATION',
    description: 'Reserving inventory for order items',
    service: 'inventory',
    after: [],
    completedBy: [
      {
        event: 'InventoryReserved',
        result: ['reservationId', 'itemsReserved', 'warehousesUsed', 'expiresAt'],
      },
    ],
    failedBy: [
      {
        event: 'InventoryReservationFailed',
        result: ['reason', 'unavailableItems'],
        reason: 'INVENTORY_UNAVAILABLE',
      },
    ],
    timeoutMs: settings.inventoryReservationTimeoutMs,
    critical: true,
    retryPolicy: settings.retry,
  };
}

function paymentProcessingStep(settings: TemplateSettings): StepDefinition {
  return {
    name: 'PAYMENT_PROCESSING',
    description: 'Processing payment authorization',
    service: 'orders',
    after: ['INVENTORY_RESERVATION'],
    completedBy: [
      { event: 'PaymentProcessed', result: ['paymentId', 'amount', 'currency', 'status', 'provider'] },
    ],
    failedBy: [
      {
        event: 'PaymentFailed',
        result: ['paymentId', 'amount', 'currency', 'attempts'],
        reason: 'PAYMENT_FAILED',
      },
      // The order's promotion code is applied by the order service just before it authorizes the
      // payment, in the same transaction: a rejected code fails this step (no payment was attempted),
      // and the saga is compensated like a declined payment, for its own reason (the order ends
      // FAILED with reason COUPON_REJECTED). CouponApplied and CouponReleased settle no step: they are
      // kept on the workflow's timeline only.
      {
        event: 'CouponRejected',
        result: ['couponCode', 'reason', 'orderTotal', 'currency'],
        reason: 'COUPON_REJECTED',
      },
    ],
    timeoutMs: settings.paymentProcessingTimeoutMs,
    critical: true,
    retryPolicy: settings.retry,
  };
}

function orderConfirmationStep(settings: TemplateSettings): StepDefinition {
  return {
    name: 'ORDER_CONFIRMATION',
    description: 'Confirming order details',
    service: 'orders',
    after: ['PAYMENT_PROCESSING'],
    completedBy: [
      { event: 'OrderConfirmed', result: ['reservationId', 'paymentId', 'totalAmount', 'currency'] },
    ],
    failedBy: [],
    timeoutMs: null,
    critical: true,
    retryPolicy: settings.retry,
  };
}

function fulfillmentPreparationStep(settings: TemplateSettings): StepDefinition {
  return {
    name: 'FULFILLMENT_PREPARATION',
    description: 'Capturing the payment and committing the stock for the scheduled shipment',
    service: 'orders',
    after: ['SHIPPING_LABEL_CREATION'],
    completedBy: [{ event: 'OrderCompleted', result: ['paymentId', 'shipmentId', 'trackingId'] }],
    failedBy: [],
    timeoutMs: null,
    critical: true,
    retryPolicy: settings.retry,
  };
}

function shippingLabelCreationStep(settings: TemplateSettings): StepDefinition {
  return {
    name: 'SHIPPING_LABEL_CREATION',
    description: 'Creating shipping labels',
    service: 'delivery',
    after: ['ORDER_CONFIRMATION'],
    completedBy: [
      {
        event: 'DeliveryScheduled',
        result: [
          'shipmentId',
          'labelNumber',
          'trackingId',
          'carrier',
          'serviceLevel',
          'labelUrl',
          'estimatedDeliveryAt',
        ],
      },
    ],
    failedBy: [
      { event: 'DeliverySchedulingFailed', result: ['shipmentId', 'carrier'], reason: 'DELIVERY_FAILED' },
    ],
    timeoutMs: null,
    critical: true,
    retryPolicy: settings.retry,
  };
}

/** The customer told the order was confirmed: retried by its owner, never compensated. */
function confirmationNoticeStep(settings: TemplateSettings): StepDefinition {
  return {
    name: 'CUSTOMER_NOTIFICATION',
    description: 'Notifying customer of order confirmation',
    service: 'notifications',
    after: ['ORDER_CONFIRMATION'],
    completedBy: [
      {
        event: 'NotificationSent',
        where: { field: 'templateId', in: CONFIRMATION_NOTICES },
        result: ['notificationId', 'channel', 'templateId', 'attempt'],
      },
    ],
    failedBy: [
      {
        event: 'NotificationFailed',
        where: { field: 'templateId', in: CONFIRMATION_NOTICES },
        result: ['notificationId', 'channel', 'templateId', 'attempt'],
        retriableField: 'retriable',
      },
    ],
    timeoutMs: null,
    critical: false,
    retryPolicy: settings.retry,
  };
}

function cancelOrderCompensation(): CompensationDefinition {
  return {
    slot: 'ORDER',
    actions: [{ action: 'CANCEL_ORDER', condition: 'IF_ORDER_OPEN' }],
    step: null,
    service: 'orders',
    description: 'Cancel the order so nothing more happens to it',
    // On every trigger, a participant's failure included: the order ends CANCELLED rather than left
    // in its failed state (seed 002: on an inventory reservation failure, cancel the order).
    critical: true,
    parameters: { customerId: 'order.customerId' },
    answeredBy: [
      { event: 'OrderCancelled', outcome: 'COMPENSATED', settlesUnrequested: true },
      // A failed saga's order ends FAILED rather than CANCELLED: it is stopped all the same.
      { event: 'OrderFailed', outcome: 'COMPENSATED', settlesUnrequested: true },
      outcomeAnswer(['CANCEL_ORDER']),
    ],
  };
}

function cancelShipmentCompensation(): CompensationDefinition {
  return {
    slot: 'SHIPMENT',
    actions: [{ action: 'CANCEL_SHIPMENT', condition: 'IF_SHIPMENT_REQUESTED' }],
    step: 'SHIPPING_LABEL_CREATION',
    service: 'delivery',
    description: 'Cancel the shipment and void its label (if created)',
    critical: true,
    parameters: {
      shipmentId: 'steps.SHIPPING_LABEL_CREATION.shipmentId',
      trackingId: 'steps.SHIPPING_LABEL_CREATION.trackingId',
    },
    answeredBy: [
      {
        event: 'ShipmentCancelled',
        outcome: 'COMPENSATED',
        outcomeField: { field: 'outcome', failedWhen: ['REJECTED_ALREADY_DISPATCHED'] },
        settlesUnrequested: true,
      },
      outcomeAnswer(['CANCEL_SHIPMENT']),
    ],
  };
}

/** The payment voided while only authorized, refunded once captured. */
function paymentCompensation(): CompensationDefinition {
  return {
    slot: 'PAYMENT',
    actions: [
      { action: 'REFUND_PAYMENT', condition: 'IF_PAYMENT_CAPTURED' },
      { action: 'VOID_PAYMENT', condition: 'IF_PAYMENT_AUTHORIZED' },
    ],
    step: 'PAYMENT_PROCESSING',
    service: 'orders',
    description: 'Void the payment authorization, or refund a captured payment',
    critical: true,
    parameters: {
      paymentId: 'steps.PAYMENT_PROCESSING.paymentId',
      amount: 'steps.PAYMENT_PROCESSING.amount',
      currency: 'steps.PAYMENT_PROCESSING.currency',
    },
    answeredBy: [
      { event: 'PaymentVoided', outcome: 'COMPENSATED', settlesUnrequested: true },
      {
        event: 'PaymentRefunded',
        outcome: 'COMPENSATED',
        // A customer's partial refund is not the undoing of the payment.
        settlesUnrequested: { field: 'reason', in: ['COMPENSATION', 'ORDER_CANCELLED'] },
      },
      outcomeAnswer(['REFUND_PAYMENT', 'VOID_PAYMENT']),
    ],
  };
}

function releaseInventoryCompensation(): CompensationDefinition {
  return {
    slot: 'INVENTORY',
    actions: [{ action: 'RELEASE_INVENTORY', condition: 'IF_INVENTORY_RESERVED' }],
    step: 'INVENTORY_RESERVATION',
    service: 'inventory',
    description: 'Release reserved inventory',
    critical: true,
    parameters: { reservationId: 'steps.INVENTORY_RESERVATION.reservationId' },
    answeredBy: [
      {
        event: 'InventoryReleased',
        outcome: 'COMPENSATED',
        // A reservation that lapsed may be held again when the order is confirmed.
        settlesUnrequested: { field: 'reason', notIn: ['EXPIRED'] },
      },
      outcomeAnswer(['RELEASE_INVENTORY']),
    ],
  };
}

/** The customer told of the cancellation, last. */
function cancellationNoticeCompensation(): CompensationDefinition {
  return {
    slot: 'CUSTOMER',
    actions: [{ action: 'NOTIFY_CUSTOMER', condition: 'ALWAYS' }],
    step: null,
    service: 'notifications',
    description: 'Send cancellation notification',
    critical: false,
    parameters: { customerId: 'order.customerId', customerEmail: 'order.customerEmail' },
    answeredBy: [
      {
        event: 'NotificationSent',
        outcome: 'COMPENSATED',
        where: { field: 'templateId', in: CANCELLATION_NOTICES },
        settlesUnrequested: true,
      },
      {
        event: 'NotificationFailed',
        outcome: 'FAILED',
        where: { field: 'templateId', in: CANCELLATION_NOTICES },
        // A failed attempt that will be retried is not an answer yet.
        settlesUnrequested: { field: 'retriable', in: ['false'] },
      },
      outcomeAnswer(['NOTIFY_CUSTOMER']),
    ],
  };
}

/**
 * The order fulfilment saga as data. The observer runs from it: which event completes or fails which
 * step, the order steps run in, their timeouts, and the compensations with their conditions and answers.
 */
export function orderFulfillmentTemplate(settings: TemplateSettings): WorkflowTemplate {
  return {
    openingEvent: 'OrderCreated',
    correlation: ORDER_CORRELATION,
    keyPrefixes: ['ord'],
    references: [],
    // The order service ended the saga on its own (its compensations done): the workflow fails where it stands.
    failedBy: [{ event: 'OrderFailed', result: ['reason', 'reasonDetails'], reasonField: 'reason' }],
    cancelledBy: ['OrderCancelled'],
    templateId: `tmpl-order-fulfillment-v${ORDER_FULFILLMENT_VERSION}`,
    name: 'Order Fulfillment Workflow',
    type: ORDER_FULFILLMENT,
    sagaType: 'ORDER_FULFILLMENT_SAGA',
    version: ORDER_FULFILLMENT_VERSION,
    description:
      'An order from its creation to its shipment: stock reserved, payment authorized, order confirmed, ' +
      'label created, payment captured and stock committed, customer notified',
    timeoutMs: settings.workflowTimeoutMs,
    steps: [
      inventoryReservationStep(settings),
      paymentProcessingStep(settings),
      orderConfirmationStep(settings),
      fulfillmentPreparationStep(settings),
      shippingLabelCreationStep(settings),
      confirmationNoticeStep(settings),
    ],
    compensations: [
      cancelOrderCompensation(),
      cancelShipmentCompensation(),
      paymentCompensation(),
      releaseInventoryCompensation(),
      cancellationNoticeCompensation(),
    ],
    compensationPolicy: {
      timeoutMs: settings.compensationTimeoutMs,
      maxRetries: settings.compensationMaxRetries,
      backoffMultiplier: settings.retry.backoffMultiplier,
      maxIntervalMs: Math.max(
        settings.compensationTimeoutMs,
        settings.compensationMaxIntervalMs ??
          settings.compensationTimeoutMs * 2 ** settings.compensationMaxRetries,
      ),
    },
    active: true,
  };
}

/** A compensation policy for templates that have no compensation of their own. */
export function defaultCompensationPolicy(
  settings: TemplateSettings,
): WorkflowTemplate['compensationPolicy'] {
  return {
    timeoutMs: settings.compensationTimeoutMs,
    maxRetries: settings.compensationMaxRetries,
    backoffMultiplier: settings.retry.backoffMultiplier,
    maxIntervalMs: Math.max(settings.compensationTimeoutMs, settings.compensationMaxIntervalMs ?? 0),
  };
}

/** The steps in the order they run (a step after those it waits for), the seed's order otherwise. */
export function executionOrder(template: WorkflowTemplate): StepDefinition[] {
  const ordered: StepDefinition[] = [];
  const placed = new Set<StepName>();
  while (ordered.length < template.steps.length) {
    const next = template.steps.find(
      (step) => !placed.has(step.name) && step.after.every((name) => placed.has(name)),
    );
    if (!next) throw new Error(`template ${template.templateId} has a cycle in its step dependencies`);
    ordered.push(next);
    placed.add(next.name);
  }
  return ordered;
}
