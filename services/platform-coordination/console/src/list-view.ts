import { api, query } from './api.js';
import { barChart } from './charts.js';
import { badge, h, when } from './dom.js';
import { bulkPanel } from './bulk-view.js';
import type { Metrics, Operation, WorkflowList } from './types.js';

export const STATUSES = [
  'STARTED',
  'IN_PROGRESS',
  'COMPENSATING',
  'CANCELLING',
  'COMPLETED',
  'COMPENSATED',
  'CANCELLED',
  'FAILED',
];
const SHORT: Record<string, string> = {
  STARTED: 'START',
  IN_PROGRESS: 'RUN',
  COMPENSATING: 'COMP…',
  CANCELLING: 'CANC…',
  COMPLETED: 'DONE',
  COMPENSATED: 'COMP',
  CANCELLED: 'CANC',
  FAILED: 'FAIL',
};

/** The list's filter, kept in the address (#/?status=…&stuck=true), so a view can be linked to. */
export interface Filter {
  type?: string;
  status?: string;
  stuck?: boolean;
  customerId?: string;
  orderId?: string;
  from?: string;
  to?: string;
  page?: number;
}

export function filterOf(params: URLSearchParams): Filter {
  const text = (name: string) => params.get(name) || undefined;
  const page = Number(params.get('page') ?? 0);
  return {
    type: text('type'),
    status: text('status'),
    stuck: params.get('stuck') === 'true',
    customerId: text('customerId'),
    orderId: text('orderId'),
    from: text('from'),
    to: text('to'),
    page: Number.isInteger(page) && page > 0 ? page : 0,
  };
}

/** The API's query of a filter (datetime-local inputs are read as local time). */
export function apiFilter(filter: Filter): Record<string, string | boolean | undefined> {
  const instant = (value?: string) => (value ? new Date(value).toISOString() : undefined);
  return {
    type: filter.type,
    status: filter.status,
    stuck: filter.stuck,
    customerId: filter.customerId,
    orderId: filter.orderId,
    from: instant(filter.from),
    to: instant(filter.to),
  };
}

function filterForm(filter: Filter, go: (filter: Filter) => void): HTMLFormElement {
  const input = (name: keyof Filter, attributes: Record<string, string> = {}) =>
    h('input', { name, value: String(filter[name] ?? ''), 'data-testid': `filter-${name}`, ...attributes });
  const form = h(
    'form',
    { class: 'filters', 'data-testid': 'filters' },
    h('label', {}, 'Type', input('type', { placeholder: 'ORDER_FULFILLMENT' })),
    h(
      'label',
      {},
      'Status',
      h(
        'select',
        { name: 'status', 'data-testid': 'filter-status' },
        h('option', { value: '' }, 'any'),
        STATUSES.map((status) => h('option', { value: status, selected: filter.status === status }, status)),
      ),
    ),
    h(
      'label',
      { class: 'check' },
      h('input', {
        type: 'checkbox',
        name: 'stuck',
        checked: filter.stuck === true,
        'data-testid': 'filter-stuck',
      }),
      'Stuck only',
    ),
    h('label', {}, 'Customer', input('customerId', { placeholder: 'cust-…' })),
    h('label', {}, 'Order', input('orderId', { placeholder: 'ord-…' })),
    h('label', {}, 'Started from', input('from', { type: 'datetime-local', step: '1' })),
    h('label', {}, 'to', input('to', { type: 'datetime-local', step: '1' })),
    h('button', { type: 'submit', 'data-testid': 'apply-filters' }, 'Apply'),
    h('button', { type: 'button', onclick: () => go({}) }, 'Clear'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const value = (name: string) => String(data.get(name) ?? '').trim() || undefined;
    go({
      type: value('type'),
      status: value('status'),
      stuck: data.get('stuck') === 'on',
      customerId: value('customerId'),
      orderId: value('orderId'),
      from: value('from'),
      to: value('to'),
    });
  });
  return form;
}

function countChips(list: WorkflowList, filter: Filter, go: (filter: Filter) => void): HTMLElement {
  const chip = (label: string, value: number, next: Filter, testId: string, active: boolean) =>
    h(
      'button',
      {
        type: 'button',
        class: `chip${active ? ' active' : ''}`,
        'data-testid': testId,
        onclick: () => go(next),
      },
      h('strong', {}, value),
      ` ${label}`,
    );
  const base = { ...filter, page: 0 };
  return h(
    'div',
    { class: 'chips', 'data-testid': 'counts' },
    chip('active', list.counts.active, { ...base, status: undefined, stuck: false }, 'count-active', false),
    chip(
      'stuck',
      list.counts.stuck,
      { ...base, status: undefined, stuck: true },
      'count-stuck',
      filter.stuck === true,
    ),
    STATUSES.map((status) =>
      chip(
        status.toLowerCase().replace('_', ' '),
        list.counts.byStatus[status] ?? 0,
        { ...base, status, stuck: false },
        `count-${status}`,
        filter.status === status,
      ),
    ),
    h(
      'span',
      { class: 'chip dlq', 'data-testid': 'count-dead-letters' },
      h('strong', {}, list.counts.deadLettersPending),
      ' dead letters pending',
    ),
  );
}

function charts(list: WorkflowList, metrics: Metrics | null): HTMLElement {
  const byStatus = barChart(
    'Workflows by status (this filter)',
    STATUSES.map((status) => ({
      label: SHORT[status]!,
      value: list.counts.byStatus[status] ?? 0,
      tone: status.toLowerCase(),
    })),
    { testId: 'chart-status' },
  );
  if (!metrics) return h('div', { class: 'charts' }, byStatus);
  const hours = new Map(metrics.trends.hourly.map((row) => [row.hour, row.workflows]));
  const hourly = barChart(
    'Workflows started today, by hour (UTC)',
    Array.from({ length: 24 }, (_, hour) => ({
      label: String(hour).padStart(2, '0'),
      value: hours.get(hour) ?? 0,
    })),
    { testId: 'chart-hourly' },
  );
  const steps = barChart(
    'Step success rate today (%)',
    metrics.stepPerformance.map((step) => ({
      label: step.step.split('_')[0]!.slice(0, 6),
      value: step.successRate ?? 0,
      caption: step.successRate === null ? '—' : `${Math.round(step.successRate)}`,
      tone: (step.successRate ?? 100) < 100 ? 'failed' : 'completed',
    })),
    { max: 100, testId: 'chart-steps' },
  );
  return h('div', { class: 'charts' }, byStatus, hourly, steps);
}

function table(list: WorkflowList, open: (orderId: string) => void): HTMLElement {
  if (list.workflows.length === 0)
    return h('p', { class: 'empty', 'data-testid': 'no-workflows' }, 'No workflow matches.');
  return h(
    'table',
    { class: 'workflows', 'data-testid': 'workflows' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Order', 'Type', 'Status', 'Step', 'Customer', 'Started', 'Updated'].map((title) =>
          h('th', {}, title),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      list.workflows.map((row) => {
        // An order's workflow opens by its order id; a return's or a replenishment's by its workflow id.
        const order = row.workflowType === 'ORDER_FULFILLMENT';
        const target = order ? row.orderId : row.workflowId;
        return h(
          'tr',
          { 'data-testid': 'workflow-row', 'data-order-id': row.orderId, onclick: () => open(target) },
          h(
            'td',
            {},
            h('a', { href: `#/orders/${target}` }, `${order ? 'ord' : 'wf'}-${target.slice(0, 8)}…`),
          ),
          h('td', {}, row.workflowType),
          h('td', {}, badge(row.status), row.stuck ? badge('STUCK', 'stuck-badge') : null),
          h('td', {}, row.currentStep ?? '—'),
          h('td', {}, row.customerId ? `cust-${row.customerId.slice(0, 8)}…` : '—'),
          h('td', {}, when(row.startedAt)),
          h('td', {}, when(row.updatedAt)),
        );
      }),
    ),
  );
}

function pager(list: WorkflowList, filter: Filter, go: (filter: Filter) => void): HTMLElement {
  const page = list.pagination.page;
  return h(
    'div',
    { class: 'pager' },
    h(
      'button',
      { type: 'button', disabled: page === 0, onclick: () => go({ ...filter, page: page - 1 }) },
      '‹ Newer',
    ),
    ` page ${page + 1} of ${Math.max(1, list.pagination.totalPages)} · ${list.pagination.totalElements} matching `,
    h(
      'button',
      {
        type: 'button',
        disabled: page + 1 >= list.pagination.totalPages,
        onclick: () => go({ ...filter, page: page + 1 }),
      },
      'Older ›',
    ),
  );
}

export interface ListContext {
  filter: Filter;
  go: (filter: Filter) => void;
  open: (orderId: string) => void;
}

/**
 * The workflows page: counts, charts, filters, the matching workflows and the bulk operations panel.
 * `render` (with each `list` event of the live feed) redraws the figures and the table only, so what the
 * operator is typing in the filters or the bulk panel stays as it is.
 */
export class ListPage {
  readonly element: HTMLElement;
  private readonly chips = h('div');
  private readonly charts = h('div');
  private readonly table = h('div');
  private readonly pager = h('div');
  private readonly bulk: ReturnType<typeof bulkPanel>;
  private list: WorkflowList | null = null;
  private metrics: Metrics | null = null;

  constructor(private readonly context: ListContext) {
    this.bulk = bulkPanel(context.filter);
    this.element = h(
      'section',
      { class: 'list' },
      this.chips,
      this.charts,
      filterForm(context.filter, context.go),
      this.table,
      this.pager,
      this.bulk.element,
    );
  }

  /** The stream's query: the list's filter and page. */
  get streamQuery(): string {
    return query({ ...apiFilter(this.context.filter), page: this.context.filter.page, size: 25 });
  }

  /** Reads today's workflow metrics for the charts (they move slowly: the page asks once a minute). */
  async loadMetrics(): Promise<void> {
    this.metrics = await api<Metrics>('GET', '/workflows/metrics?period=TODAY').catch(() => null);
    if (this.list) this.charts.replaceChildren(charts(this.list, this.metrics));
  }

  render(list: WorkflowList & { operations?: Operation[] }): void {
    this.list = list;
    const { filter } = this.context;
    this.chips.replaceChildren(countChips(list, filter, this.context.go));
    this.charts.replaceChildren(charts(list, this.metrics));
    this.table.replaceChildren(table(list, this.context.open));
    this.pager.replaceChildren(pager(list, filter, this.context.go));
    if (list.operations) this.bulk.render(list.operations);
  }
}
