import {
  ORDER_CORRELATION,
  ORDER_FULFILLMENT,
  orderFulfillmentTemplate,
  type CorrelationRule,
  type TemplateSettings,
  type WorkflowTemplate,
} from '../template.js';
import {
  INVENTORY_REPLENISHMENT,
  inventoryReplenishmentTemplate,
  REPLENISHMENT_CORRELATION,
} from './inventory-replenishment.js';
import { RETURN_CORRELATION, RETURN_PROCESSING, returnProcessingTemplate } from './return-processing.js';

/**
 * The workflow types the observer follows. Adding one: a template file next to this one, and its line
 * here (its correlation rules decide which topics the observer reads).
 */
export const WORKFLOW_TYPES: readonly {
  type: string;
  correlation: CorrelationRule[];
  build(settings: TemplateSettings): WorkflowTemplate;
}[] = [
  { type: ORDER_FULFILLMENT, correlation: ORDER_CORRELATION, build: orderFulfillmentTemplate },
  { type: RETURN_PROCESSING, correlation: RETURN_CORRELATION, build: returnProcessingTemplate },
  {
    type: INVENTORY_REPLENISHMENT,
    correlation: REPLENISHMENT_CORRELATION,
    build: inventoryReplenishmentTemplate,
  },
];

/** Every template, the order fulfilment first. */
export function workflowTemplates(settings: TemplateSettings): WorkflowTemplate[] {
  return WORKFLOW_TYPES.map((entry) => entry.build(settings));
}

/** Step names of every workflow type (request schemas list them). */
export const ALL_STEP_NAMES: readonly string[] = [
  ...new Set(
    WORKFLOW_TYPES.flatMap((entry) =>
      entry
        .build({
          workflowTimeoutMs: 1,
          inventoryReservationTimeoutMs: 1,
          paymentProcessingTimeoutMs: 1,
          retry: { maxAttempts: 1, backoffMultiplier: 1, initialIntervalMs: 1, maxIntervalMs: 1 },
          compensationTimeoutMs: 1,
          compensationMaxRetries: 0,
        })
        .steps.map((step) => step.name),
    ),
  ),
];
