import {
  defaultCompensationPolicy,
  type CorrelationRule,
  type TemplateSettings,
  type WorkflowTemplate,
  type StepDefinition,
} from '../template.js';

export const RETURN_PROCESSING = 'RETURN_PROCESSING';
export const RETURN_PROCESSING_VERSION = '1.0';
/** Seed 000 has no timeout for returns: a customer may take days to send the goods back. */
export const RETURN_PROCESSING_TIMEOUT_MS = 14 * 86_400_000;
/** The customer's message about a refunded return. */
export const RETURN_NOTICES = ['return-refunded'];

/** A return is named by its returnId; the restock and the customer's message carry it as `reference`. */
export const RETURN_CORRELATION: CorrelationRule[] = [
  { event: 'InventoryAdjusted', field: 'reference', where: { field: 'reason', in: ['RETURN'] } },
  { event: 'NotificationSent', field: 'reference', where: { field: 'templateId', in: RETURN_NOTICES } },
  { event: 'NotificationFailed', field: 'reference', where: { field: 'templateId', in: RETURN_NOTICES } },
  { field: 'returnId' },
];

function returnRequestStep(settings: TemplateSettings): StepDefinition {
  return {
    name: 'RETURN_REQUEST',
    description: 'Recording the customer’s return request',
    service: 'delivery',
    after: [],
    completedBy: [{ event: 'ReturnRequested', result: ['returnId', 'orderId', 'reason'] }],
    failedBy: [],
    timeoutMs: null,
    critical: true,
    retryPolicy: settings.retry,
  };
}

function returnReceiptStep(settings: TemplateSettings): StepDefinition {
  return {
    name: 'RETURN_RECEIPT',
    description: 'Receiving the returned goods at a warehouse',
    service: 'delivery',
    after: ['RETURN_REQUEST'],
    completedBy: [{ event: 'ReturnReceived', result: ['warehouseId'] }],
    failedBy: [],
    timeoutMs: null,
    critical: true,
    retryPolicy: settings.retry,
  };
}

/** The refund: one that fails for good is held for an operator, not compensated. */
function refundProcessingStep(settings: TemplateSettings): StepDefinition {
  return {
    name: 'REFUND_PROCESSING',
    description: 'Refunding the returned lines',
    service: 'orders',
    after: ['RETURN_RECEIPT'],
    completedBy: [
      { event: 'PaymentRefunded', result: ['paymentId', 'refundId', 'amount', 'currency', 'reason'] },
      { event: 'OrderRefunded', result: ['paymentId', 'refundId', 'amount', 'currency', 'fullRefund'] },
    ],
    failedBy: [
      {
        event: 'PaymentRefundFailed',
        result: ['paymentId', 'amount', 'currency', 'errorCode', 'attempt'],
        reason: 'REFUND_FAILED',
        retriableField: 'retriable',
      },
    ],
    timeoutMs: null,
    critical: true,
    onFailure: 'HOLD',
    retryPolicy: settings.retry,
  };
}

function restockStep(settings: TemplateSettings): StepDefinition {
  return {
    name: 'RESTOCK',
    description: 'Putting the returned units back in stock',
    service: 'inventory',
    after: ['RETURN_RECEIPT'],
    completedBy: [
      {
        event: 'InventoryAdjusted',
        where: { field: 'reason', in: ['RETURN'] },
        result: ['productId', 'warehouseId', 'quantityChange', 'newQuantity'],
      },
    ],
    failedBy: [],
    timeoutMs: null,
    critical: true,
    onFailure: 'HOLD',
    retryPolicy: settings.retry,
  };
}

/** The customer told the return was refunded: retried by its owner, never held. */
function refundNoticeStep(settings: TemplateSettings): StepDefinition {
  return {
    name: 'CUSTOMER_NOTIFICATION',
    description: 'Telling the customer the return was refunded',
    service: 'notifications',
    after: ['REFUND_PROCESSING'],
    completedBy: [
      {
        event: 'NotificationSent',
        where: { field: 'templateId', in: RETURN_NOTICES },
        result: ['notificationId', 'channel', 'templateId', 'attempt'],
      },
    ],
    failedBy: [
      {
        event: 'NotificationFailed',
        where: { field: 'templateId', in: RETURN_NOTICES },
        result: ['notificationId', 'channel', 'templateId', 'attempt'],
        retriableField: 'retriable',
      },
    ],
    timeoutMs: null,
    critical: false,
    retryPolicy: settings.retry,
  };
}

/**
 * A delivered order's return: requested, received at a warehouse, then refunded (orders) and restocked
 * (inventory) side by side, and the customer told once refunded. Nothing is compensated: a refund that
 * fails for good is held for an operator (its step FAILED, the workflow flagged) who may retry it; a
 * return that never arrives fails the workflow at its timeout.
 */
export function returnProcessingTemplate(settings: TemplateSettings): WorkflowTemplate {
  return {
    openingEvent: 'ReturnRequested',
    correlation: RETURN_CORRELATION,
    keyPrefixes: [],
    references: ['returnId', 'orderId', 'customerId'],
    failedBy: [],
    cancelledBy: [],
    templateId: `tmpl-return-processing-v${RETURN_PROCESSING_VERSION}`,
    name: 'Return Processing Workflow',
    type: RETURN_PROCESSING,
    sagaType: 'RETURN_PROCESSING_SAGA',
    version: RETURN_PROCESSING_VERSION,
    description:
      'A return from its request to the refund: goods received, payment refunded, units back in stock, ' +
      'customer notified',
    timeoutMs: settings.workflowTimeoutsMs?.[RETURN_PROCESSING] ?? RETURN_PROCESSING_TIMEOUT_MS,
    steps: [
      returnRequestStep(settings),
      returnReceiptStep(settings),
      refundProcessingStep(settings),
      restockStep(settings),
      refundNoticeStep(settings),
    ],
    compensations: [],
    compensationPolicy: defaultCompensationPolicy(settings),
    active: true,
  };
}
