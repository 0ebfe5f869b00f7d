import {
  defaultCompensationPolicy,
  type CorrelationRule,
  type TemplateSettings,
  type WorkflowTemplate,
  type StepDefinition,
} from '../template.js';

export const INVENTORY_REPLENISHMENT = 'INVENTORY_REPLENISHMENT';
export const INVENTORY_REPLENISHMENT_VERSION = '1.0';
/** A supplier may take days to deliver. */
export const INVENTORY_REPLENISHMENT_TIMEOUT_MS = 14 * 86_400_000;

export const REPLENISHMENT_CORRELATION: CorrelationRule[] = [{ field: 'replenishmentId' }];

function replenishmentRequestStep(settings: TemplateSettings): StepDefinition {
  return {
    name: 'REPLENISHMENT_REQUEST',
    description: 'Opening a replenishment for stock below its threshold',
    service: 'inventory',
    after: [],
    completedBy: [
      {
        event: 'ReplenishmentRequested',
        result: ['productId', 'warehouseId', 'quantity', 'availableQuantity', 'threshold', 'supplierId'],
      },
    ],
    failedBy: [],
    timeoutMs: null,
    critical: true,
    retryPolicy: settings.retry,
  };
}

function purchaseOrderStep(settings: TemplateSettings): StepDefinition {
  return {
    name: 'PURCHASE_ORDER',
    description: 'Placing a purchase order with the supplier',
    service: 'inventory',
    after: ['REPLENISHMENT_REQUEST'],
    completedBy: [{ event: 'PurchaseOrderPlaced', result: ['purchaseOrderId', 'supplierId', 'quantity'] }],
    failedBy: [],
    timeoutMs: null,
    critical: true,
    retryPolicy: settings.retry,
  };
}

function supplierConfirmationStep(settings: TemplateSettings): StepDefinition {
  return {
    name: 'SUPPLIER_CONFIRMATION',
    description: 'Waiting for the supplier to confirm the purchase order',
    service: 'inventory',
    after: ['PURCHASE_ORDER'],
    completedBy: [{ event: 'PurchaseOrderConfirmed', result: ['purchaseOrderId', 'expectedAt'] }],
    failedBy: [],
    timeoutMs: null,
    critical: true,
    retryPolicy: settings.retry,
  };
}

function goodsReceiptStep(settings: TemplateSettings): StepDefinition {
  return {
    name: 'GOODS_RECEIPT',
    description: 'Receiving the goods into stock',
    service: 'inventory',
    after: ['SUPPLIER_CONFIRMATION'],
    completedBy: [
      { event: 'ReplenishmentCompleted', result: ['purchaseOrderId', 'receivedQuantity', 'newQuantity'] },
    ],
    failedBy: [],
    timeoutMs: null,
    critical: true,
    retryPolicy: settings.retry,
  };
}

/**
 * A low-stock alert's replenishment: requested, a purchase order placed with a supplier, confirmed by
 * it, and the goods received into stock. ReplenishmentFailed (the supplier rejected it, or inventory
 * gave up) fails the workflow where it stands; nothing is compensated (inventory closes the order).
 */
export function inventoryReplenishmentTemplate(settings: TemplateSettings): WorkflowTemplate {
  return {
    openingEvent: 'ReplenishmentRequested',
    correlation: REPLENISHMENT_CORRELATION,
    keyPrefixes: [],
    references: ['replenishmentId', 'productId', 'warehouseId', 'supplierId', 'purchaseOrderId'],
    failedBy: [
      {
        event: 'ReplenishmentFailed',
        result: ['reason', 'reasonDetails', 'purchaseOrderId'],
        reasonField: 'reason',
      },
    ],
    cancelledBy: [],
    templateId: `tmpl-inventory-replenishment-v${INVENTORY_REPLENISHMENT_VERSION}`,
    name: 'Inventory Replenishment Workflow',
    type: INVENTORY_REPLENISHMENT,
    sagaType: 'INVENTORY_REPLENISHMENT_SAGA',
    version: INVENTORY_REPLENISHMENT_VERSION,
    description:
      'Stock below its threshold replenished: purchase order placed, confirmed by the supplier, goods received',
    timeoutMs: settings.workflowTimeoutsMs?.[INVENTORY_REPLENISHMENT] ?? INVENTORY_REPLENISHMENT_TIMEOUT_MS,
    steps: [
      replenishmentRequestStep(settings),
      purchaseOrderStep(settings),
      supplierConfirmationStep(settings),
      goodsReceiptStep(settings),
    ],
    compensations: [],
    compensationPolicy: defaultCompensationPolicy(settings),
    active: true,
  };
}
