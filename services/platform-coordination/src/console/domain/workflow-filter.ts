import { badRequest, type SchemaType } from '@fv/service-kit';
import { idPattern, parseId } from '../../shared/domain/ids.js';
import {
  ACTIVE_WORKFLOW_STATUSES,
  TERMINAL_WORKFLOW_STATUSES,
  type WorkflowStatus,
} from '../../workflows/domain/state.js';

export const WORKFLOW_STATUSES: readonly WorkflowStatus[] = [
  ...ACTIVE_WORKFLOW_STATUSES,
  ...TERMINAL_WORKFLOW_STATUSES,
];

/** The console's filter over workflows, as the query string (or a bulk operation's body) sends it. */
export type WorkflowFilterInput = SchemaType<typeof workflowFilterSchema>;

/** The same filter, checked and normalised: what the queries run with. */
export interface WorkflowFilter {
  type?: string;
  statuses?: string[];
  /** Active workflows last updated before this instant. */
  stuckBefore?: Date;
  customerId?: string;
  orderId?: string;
  from?: Date;
  to?: Date;
}

/** JSON schema of the filter's fields (query string and operation body alike). */
export const workflowFilterProperties = {
  type: { type: 'string', pattern: '^[A-Z][A-Z_]{1,99}$' },
  status: { type: 'string', enum: [...WORKFLOW_STATUSES] },
  stuck: {
    type: 'boolean',
    description: 'Only active workflows that have not moved for WORKFLOW_STUCK_AFTER',
  },
  customerId: { type: 'string', pattern: idPattern(['cust']) },
  orderId: { type: 'string', pattern: idPattern(['ord', 'wf']) },
  from: { type: 'string', format: 'date-time', description: 'Started at or after' },
  to: { type: 'string', format: 'date-time', description: 'Started before' },
} as const;

/** The filter as an object schema: what {@link WorkflowFilterInput} is derived from. */
export const workflowFilterSchema = {
  type: 'object',
  additionalProperties: false,
  properties: workflowFilterProperties,
} as const;

/**
 * Checks and normalises a filter. `stuck` keeps the active statuses only (a finished workflow is never
 * stuck); asked together with a finished status it is refused, as it could match nothing.
 */
export function workflowFilterOf(
  input: WorkflowFilterInput,
  now: Date,
  stuckAfterMs: number,
): WorkflowFilter {
  const from = input.from ? new Date(input.from) : undefined;
  const to = input.to ? new Date(input.to) : undefined;
  if (from && to && from.getTime() >= to.getTime()) {
    throw badRequest('`from` must be before `to`', {
      fields: [{ field: 'from', rule: 'before', message: 'must be before `to`' }],
    });
  }
  let statuses: string[] | undefined = input.status ? [input.status] : undefined;
  if (input.stuck) {
    const active = ACTIVE_WORKFLOW_STATUSES as readonly string[];
    if (input.status && !active.includes(input.status)) {
      throw badRequest(`A ${input.status} workflow is never stuck: ask for an active status with stuck`, {
        fields: [{ field: 'status', rule: 'active', message: `must be one of ${active.join(', ')}` }],
      });
    }
    statuses = statuses ?? [...active];
  }
  return {
    ...(input.type ? { type: input.type } : {}),
    ...(statuses ? { statuses } : {}),
    ...(input.stuck ? { stuckBefore: new Date(now.getTime() - stuckAfterMs) } : {}),
    ...(input.customerId ? { customerId: parseId(input.customerId, ['cust']) ?? input.customerId } : {}),
    ...(input.orderId ? { orderId: parseId(input.orderId, ['ord', 'wf']) ?? input.orderId } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

/** Whether a filter names anything at all (a bulk operation over every workflow is refused). */
export function isEmptyFilter(input: WorkflowFilterInput): boolean {
  return Object.values(input).every((value) => value === undefined || value === false || value === '');
}
