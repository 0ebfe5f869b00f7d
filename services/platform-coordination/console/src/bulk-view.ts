import { api, ApiError } from './api.js';
import { badge, fill, h, when } from './dom.js';
import { apiFilter, type Filter } from './list-view.js';
import type { DryRun, Operation } from './types.js';

const ACTIONS = {
  RETRY: 'Retry the matching workflows',
  CANCEL: 'Cancel the matching workflows',
  REPLAY: 'Replay the matching pending dead letters',
} as const;
type Action = keyof typeof ACTIONS;

function describe(filter: Record<string, unknown>): string {
  const parts = Object.entries(filter)
    .filter(([, value]) => value !== undefined && value !== false && value !== '')
    .map(([name, value]) => (value === true ? name : `${name}=${String(value)}`));
  return parts.length ? parts.join(', ') : 'nothing (set a filter above)';
}

function operationLine(operation: Operation): HTMLElement {
  return h(
    'li',
    { 'data-testid': 'operation-item' },
    h('a', { href: `#/operations/${operation.id}` }, `${operation.type} ×${operation.total}`),
    ' ',
    badge(operation.status),
    ` ${operation.succeeded} succeeded · ${operation.failed} failed · by ${operation.requestedBy} · ${when(operation.createdAt)}`,
  );
}

/** The bulk form's controls, and where its answers show. */
interface BulkForm {
  filter: Filter;
  action: HTMLSelectElement;
  reason: HTMLInputElement;
  /** The dead letters' filter, for REPLAY (the list's filter is the workflows'). */
  dlq: { topic: HTMLInputElement; errorCode: HTMLInputElement; orderId: HTMLInputElement };
  dlqFields: HTMLElement;
  scope: HTMLElement;
  result: HTMLElement;
}

function bulkForm(filter: Filter): BulkForm {
  const result = h('div', { class: 'bulk-result', 'data-testid': 'bulk-result' });
  const action = h(
    'select',
    { name: 'action', 'data-testid': 'bulk-action' },
    Object.entries(ACTIONS).map(([value, label]) => h('option', { value }, label)),
  );
  const reason = h('input', {
    name: 'reason',
    placeholder: 'Reason (kept with the operation)',
    'data-testid': 'bulk-reason',
  });
  const dlq = {
    topic: h('input', { name: 'topic', placeholder: 'topic, e.g. payments.events' }),
    errorCode: h('input', { name: 'errorCode', placeholder: 'error code' }),
    orderId: h('input', { name: 'orderId', placeholder: 'order id', value: filter.orderId ?? '' }),
  };
  const dlqFields = h('span', { class: 'dlq-fields', hidden: true }, dlq.topic, dlq.errorCode, dlq.orderId);
  const scope = h('span', { class: 'scope' });
  return { filter, action, reason, dlq, dlqFields, scope, result };
}

/** What the chosen action applies to: the list's filter, or for REPLAY the dead-letter fields. */
function targetFilter(form: BulkForm): Record<string, unknown> {
  if ((form.action.value as Action) !== 'REPLAY') return apiFilter(form.filter);
  const value = (input: HTMLInputElement) => input.value.trim() || undefined;
  const { dlq } = form;
  return { topic: value(dlq.topic), errorCode: value(dlq.errorCode), orderId: value(dlq.orderId) };
}

function clean(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== undefined && v !== false && v !== ''),
  );
}

/** Shows the dead-letter fields or the list's filter, as the chosen action takes; an earlier answer goes. */
function showScope(form: BulkForm): void {
  form.dlqFields.hidden = form.action.value !== 'REPLAY';
  form.scope.textContent =
    form.action.value === 'REPLAY' ? '' : `Filter: ${describe(apiFilter(form.filter))}`;
  form.result.replaceChildren();
}

/** Posts an operation (or its dry run); a refusal is shown in place of the answer, and gives null. */
async function submit(
  result: HTMLElement,
  body: Record<string, unknown>,
): Promise<DryRun | Operation | null> {
  try {
    return await api<DryRun | Operation>('POST', '/operations', body);
  } catch (error) {
    const message = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
    result.replaceChildren(h('p', { class: 'error', 'data-testid': 'bulk-error' }, message));
    return null;
  }
}

/** The button that starts the operation, for exactly the count the dry run matched. */
function confirmButton(
  result: HTMLElement,
  body: Record<string, unknown>,
  answer: DryRun,
  label: string,
): HTMLButtonElement {
  const confirm = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      'data-testid': 'bulk-confirm',
      disabled: answer.matched === 0 || answer.matched > answer.maxTargets,
    },
    label,
  );
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    const started = (await submit(result, { ...body, expectedCount: answer.matched })) as Operation | null;
    if (!started) return;
    result.replaceChildren(
      h(
        'p',
        { 'data-testid': 'bulk-started' },
        'Operation started: ',
        h('a', { href: `#/operations/${started.id}` }, `${started.type} ×${started.total}`),
      ),
    );
  });
  return confirm;
}

/** Asks how many the chosen action would touch, and shows it with the button that confirms that count. */
async function dryRun(form: BulkForm): Promise<void> {
  const { action, reason, result } = form;
  const type = action.value as Action;
  const body = {
    type,
    filter: clean(targetFilter(form)),
    ...(reason.value.trim() ? { reason: reason.value.trim() } : {}),
  };
  const answer = (await submit(result, { ...body, dryRun: true })) as DryRun | null;
  if (!answer) return;
  const noun = type === 'REPLAY' ? 'dead letter' : 'workflow';
  const confirm = confirmButton(
    result,
    body,
    answer,
    `Confirm: ${type.toLowerCase()} ${answer.matched} ${noun}${answer.matched === 1 ? '' : 's'}`,
  );
  fill(
    result,
    h(
      'p',
      { 'data-testid': 'bulk-matched' },
      `Dry run: ${answer.matched} ${noun}${answer.matched === 1 ? '' : 's'} match.`,
    ),
    answer.matched > answer.maxTargets
      ? h('p', { class: 'error' }, `More than ${answer.maxTargets}: narrow the filter.`)
      : null,
    answer.sample.length
      ? h(
          'p',
          { class: 'sample' },
          'First: ',
          answer.sample
            .slice(0, 5)
            .map((t) => `ord-${(t.orderId ?? t.targetId).slice(0, 8)}…`)
            .join(', '),
        )
      : null,
    confirm,
  );
}

/**
 * Bulk retry, cancel and replay: a dry run shows how many the filter matches, and the operation starts only
 * when that count is confirmed (the service refuses it if the count changed meanwhile).
 */
export function bulkPanel(filter: Filter) {
  const form = bulkForm(filter);
  const recent = h('ul', { class: 'operations', 'data-testid': 'operations' });
  form.action.addEventListener('change', () => showScope(form));
  showScope(form);

  const render = (operations: Operation[]) =>
    recent.replaceChildren(...operations.slice(0, 8).map(operationLine));

  const element = h(
    'section',
    { class: 'bulk', 'data-testid': 'bulk' },
    h('h2', {}, 'Bulk operation'),
    h(
      'div',
      { class: 'bulk-form' },
      form.action,
      form.dlqFields,
      form.reason,
      h(
        'button',
        { type: 'button', 'data-testid': 'bulk-dry-run', onclick: () => void dryRun(form) },
        'Dry run',
      ),
    ),
    form.scope,
    form.result,
    h('h3', {}, 'Recent operations'),
    recent,
  );
  return { element, render };
}

/** One operation: its figures and a row per target with its outcome. */
export async function operationView(id: string): Promise<HTMLElement> {
  const operation = await api<Operation>('GET', `/operations/${id}`);
  return h(
    'section',
    { class: 'operation', 'data-testid': 'operation' },
    h('p', {}, h('a', { href: '#/' }, '← Workflows')),
    h('h2', {}, `${operation.type} operation `, badge(operation.status, 'operation-status')),
    h(
      'p',
      { 'data-testid': 'operation-summary' },
      `${operation.total} targets · ${operation.succeeded} succeeded · ${operation.failed} failed · ${operation.pending} pending`,
    ),
    h(
      'p',
      {},
      `Filter: ${describe(operation.filter)} · reason: ${operation.reason ?? '—'} · by ${operation.requestedBy} · ${when(operation.createdAt)} → ${when(operation.completedAt)}`,
    ),
    h(
      'table',
      { 'data-testid': 'operation-rows' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['#', 'Target', 'Order', 'Outcome', 'Error', 'At'].map((title) => h('th', {}, title)),
        ),
      ),
      h(
        'tbody',
        {},
        (operation.rows ?? []).map((row) =>
          h(
            'tr',
            { 'data-testid': 'operation-row' },
            h('td', {}, row.position + 1),
            h('td', {}, row.targetId),
            h(
              'td',
              {},
              row.orderId
                ? h('a', { href: `#/orders/${row.orderId}` }, `ord-${row.orderId.slice(0, 8)}…`)
                : '—',
            ),
            h('td', {}, badge(row.status)),
            h('td', {}, row.errorCode ? `${row.errorCode}: ${row.message ?? ''}` : ''),
            h('td', {}, when(row.settledAt)),
          ),
        ),
      ),
    ),
  );
}
