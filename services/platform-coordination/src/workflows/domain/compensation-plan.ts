import { stepDone } from './derive.js';
import type { WorkflowState } from './state.js';
import {
  executionOrder,
  type CompensationCondition,
  type CompensationDefinition,
  type WorkflowTemplate,
} from './template.js';

/** Whether a compensation's condition holds, judged on what the workflow knows was done. */
export function conditionHolds(
  template: WorkflowTemplate,
  state: WorkflowState,
  condition: CompensationCondition,
): boolean {
  const done = (step: Parameters<typeof stepDone>[2]) => stepDone(template, state, step);
  switch (condition) {
    case 'IF_ORDER_OPEN':
      // A completed order has shipped: the order service can only refund it, not cancel it.
      return !done('FULFILLMENT_PREPARATION');
    case 'IF_SHIPMENT_REQUESTED':
      // Delivery acts on every confirmed order; a label exists, or may still be created, unless delivery said it could not schedule it.
      return (
        done('SHIPPING_LABEL_CREATION') ||
        (done('ORDER_CONFIRMATION') && !state.steps.SHIPPING_LABEL_CREATION?.failure?.eventId)
      );
    case 'IF_PAYMENT_CAPTURED':
      return done('FULFILLMENT_PREPARATION');
    case 'IF_PAYMENT_AUTHORIZED':
      return done('PAYMENT_PROCESSING');
    case 'IF_INVENTORY_RESERVED':
      return done('INVENTORY_RESERVATION');
    case 'ALWAYS':
      return true;
  }
}

export interface PlannedAction {
  slot: CompensationDefinition['slot'];
  action: CompensationDefinition['actions'][number]['action'];
  step: CompensationDefinition['step'];
  critical: boolean;
}

/**
 * The compensations that apply to the workflow as it stands, in the order they run: only what was done
 * is undone. Recomputed whenever a fact arrives, so a step that completes while (or after) the
 * workflow is compensated is undone too.
 */
export function planCompensation(template: WorkflowTemplate, state: WorkflowState): PlannedAction[] {
  const trigger = state.trigger;
  if (!trigger) return [];
  const order = executionOrder(template).map((step) => step.name);
  const limit = trigger.fromStep ? order.indexOf(trigger.fromStep) : order.length;
  const planned: PlannedAction[] = [];
  for (const definition of template.compensations) {
    if (definition.triggers && !definition.triggers.includes(trigger.kind)) continue;
    if (definition.step && order.indexOf(definition.step) > limit) continue;
    const existing = state.actions.find((action) => action.slot === definition.slot);
    if (existing) {
      planned.push({
        slot: existing.slot,
        action: existing.action,
        step: existing.step,
        critical: existing.critical,
      });
      continue;
    }
    const choice = definition.actions.find((candidate) =>
      conditionHolds(template, state, candidate.condition),
    );
    if (choice) {
      planned.push({
        slot: definition.slot,
        action: choice.action,
        step: definition.step,
        critical: definition.critical,
      });
    }
  }
  return planned;
}

/** The plan as the start and cancel answers show it: every compensation with whether it applies now. */
export function describePlan(
  template: WorkflowTemplate,
  state: WorkflowState,
): { step: string; status: 'PENDING' | 'NOT_APPLICABLE'; description: string; condition: string }[] {
  return template.compensations.map((definition) => {
    const applicable = definition.actions.find((candidate) =>
      conditionHolds(template, state, candidate.condition),
    );
    const shown = applicable ?? definition.actions.at(-1)!;
    return {
      step: shown.action,
      status: applicable ? 'PENDING' : 'NOT_APPLICABLE',
      description: definition.description,
      condition: shown.condition,
    };
  });
}
