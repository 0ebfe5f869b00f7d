import type { EventHandler } from '@fv/messaging';
import type { NotificationsDeps } from '../use-cases/deps.js';
import { resendConfirmation } from '../use-cases/resend-confirmation.js';
import { common } from './handler-context.js';

/** StepRetryRequested for CUSTOMER_NOTIFICATION → the order confirmation, sent once more. */
export function onStepRetryRequested(deps: NotificationsDeps): EventHandler<'StepRetryRequested'> {
  return async (event, context) => {
    if (event.stepName !== 'CUSTOMER_NOTIFICATION') return;
    await resendConfirmation(context.tx, deps, event, common(context, 'StepRetryRequested'));
  };
}
