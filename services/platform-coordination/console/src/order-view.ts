import { api, ApiError } from './api.js';
import { badge, fill, h, when } from './dom.js';
import type { DeadLetter, OrderDocument, Step, CompensationStep, Delivery, TimelineEntry } from './types.js';

type Confirm = { label: string; question: string; run: () => Promise<unknown>; done: string };

/**
 * One order: its saga's state, steps, compensations with their outcomes, dead letters and webhook
 * deliveries, and all of them as one timeline; with the actions an operator takes on it. `render` is
 * called again with each new document the live feed sends.
 */
export class OrderPage {
  readonly element: HTMLElement;
  private readonly body = h('div');
  private readonly message = h('div', {
    class: 'message',
    'data-testid': 'action-message',
    'aria-live': 'polite',
  });
  private readonly confirmSlot = h('div', { class: 'confirm' });
  private doc: OrderDocument | null = null;

  constructor() {
    this.element = h(
      'section',
      { class: 'order', 'data-testid': 'order' },
      h('p', {}, h('a', { href: '#/' }, '← Workflows')),
      this.message,
      this.confirmSlot,
      this.body,
    );
  }

  /** Asks before an action, in the page (the confirmation names exactly what will happen). */
  private ask(confirm: Confirm): void {
    const yes = h(
      'button',
      { type: 'button', class: 'danger', 'data-testid': 'confirm-action' },
      confirm.label,
    );
    const no = h(
      'button',
      { type: 'button', onclick: () => this.confirmSlot.replaceChildren() },
      'Keep as it is',
    );
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      try {
        await confirm.run();
        this.say(confirm.done, 'ok');
      } catch (error) {
        this.say(error instanceof ApiError ? `${error.code}: ${error.message}` : String(error), 'error');
      }
      this.confirmSlot.replaceChildren();
    });
    this.confirmSlot.replaceChildren(
      h('p', { 'data-testid': 'confirm-question' }, confirm.question, ' ', yes, ' ', no),
    );
  }

  private say(text: string, tone: 'ok' | 'error'): void {
    this.message.replaceChildren(h('p', { class: tone }, text));
  }

  /** A button that asks before the action it stands for (the confirmation is made when it is pressed). */
  private askButton(testId: string, text: string, confirm: () => Confirm): HTMLButtonElement {
    return h('button', { type: 'button', 'data-testid': testId, onclick: () => this.ask(confirm()) }, text);
  }

  private actions(doc: OrderDocument): HTMLElement {
    const { workflow } = doc;
    const steps = h(
      'select',
      { 'data-testid': 'retry-step' },
      workflow.steps.map((step) =>
        h(
          'option',
          { value: step.name, selected: step.name === (failedStep(doc) ?? workflow.currentStep) },
          `${step.name} (${step.status})`,
        ),
      ),
    );
    const reason = h('input', { placeholder: 'Reason', 'data-testid': 'action-reason', value: '' });
    const why = () => reason.value.trim();
    const id = workflow.workflowId;
    return h(
      'div',
      { class: 'actions', 'data-testid': 'actions' },
      steps,
      this.askButton('retry', 'Retry step…', () => ({
        label: `Retry ${steps.value}`,
        question: `Ask the owner of ${steps.value} to perform it again?`,
        run: () =>
          api('POST', `/workflows/${id}/retry`, {
            fromStep: steps.value,
            ...(why() ? { metadata: { reason: why() } } : {}),
          }),
        done: `Retry of ${steps.value} requested`,
      })),
      reason,
      this.askButton('cancel', 'Cancel…', () => ({
        label: 'Cancel the order',
        question: 'Cancel this order? What was done is compensated and the customer told.',
        run: () =>
          api('POST', `/workflows/${id}/cancel`, {
            reason: 'ADMIN_REQUESTED',
            initiatedBy: 'ADMIN',
            ...(why() ? { reasonDetails: why() } : {}),
          }),
        done: 'Cancellation requested',
      })),
      this.askButton('compensate', 'Compensate…', () => ({
        label: 'Compensate now',
        question: 'Undo every step done so far (a completed saga is compensated too)?',
        run: () =>
          api('POST', `/sagas/${workflow.saga.sagaId}/compensate`, {
            reason: 'MANUAL_INTERVENTION',
            forceCompensation: workflow.saga.state === 'COMPLETED',
            ...(why() ? { metadata: { reason: why() } } : {}),
          }),
        done: 'Compensation requested',
      })),
    );
  }

  /** Replay and discard, for a dead letter still PENDING. */
  private deadLetterActions(letter: DeadLetter): HTMLElement[] | null {
    if (letter.status !== 'PENDING') return null;
    return [
      this.askButton('replay', 'Replay…', () => ({
        label: 'Replay',
        question: `Send ${letter.eventName ?? 'the message'} back to ${letter.originalTopic}?`,
        run: () => api('POST', `/dlq/${letter.id}/replay`),
        done: 'Dead letter replayed',
      })),
      this.askButton('discard', 'Discard…', () => ({
        label: 'Discard',
        question: 'Mark this dead letter discarded (it is never replayed)?',
        run: () =>
          api('POST', `/dlq/${letter.id}/discard`, {
            reason: 'Discarded from the console',
          }),
        done: 'Dead letter discarded',
      })),
    ];
  }

  private deadLetters(letters: DeadLetter[]): HTMLElement {
    if (letters.length === 0) return h('p', { class: 'empty' }, 'No dead-lettered message for this order.');
    return table(
      'dead-letters',
      ['Failed', 'Event', 'Topic', 'Error', 'Status', ''],
      letters.map((letter) =>
        h(
          'tr',
          { 'data-testid': 'dead-letter' },
          h('td', {}, when(letter.failedAt)),
          h('td', {}, letter.eventName ?? '—'),
          h('td', {}, letter.originalTopic),
          h('td', {}, `${letter.error.code}${letter.error.message ? `: ${letter.error.message}` : ''}`),
          h('td', {}, badge(letter.status)),
          h('td', {}, this.deadLetterActions(letter)),
        ),
      ),
    );
  }

  render(doc: OrderDocument): void {
    this.doc = doc;
    const { workflow } = doc;
    fill(
      this.body,
      heading(doc),
      facts(workflow),
      triggerLine(workflow),
      flagList(workflow),
      this.actions(doc),
      h('h3', {}, 'Steps'),
      stepsTable(workflow.steps),
      h('h3', {}, 'Compensations'),
      compensationsTable(workflow.saga.compensationSteps ?? []),
      h('h3', {}, 'Dead letters'),
      this.deadLetters(doc.deadLetters),
      h('h3', {}, 'Webhook deliveries'),
      webhooksTable(doc.webhooks),
      h('h3', {}, 'Timeline'),
      timeline(doc.timeline),
    );
  }

  get current(): OrderDocument | null {
    return this.doc;
  }
}

function failedStep(doc: OrderDocument): string | null {
  return doc.workflow.steps.find((step) => step.status === 'FAILED')?.name ?? null;
}

/** The saga's trace: a link to its page when the service has a TRACE_URL_TEMPLATE, else its id. */
function traceLink(workflow: OrderDocument['workflow']): (HTMLElement | string)[] {
  if (workflow.traceUrl) {
    const link = h(
      'a',
      { href: workflow.traceUrl, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'trace-link' },
      'trace',
    );
    return [' · ', link];
  }
  return workflow.traceId ? [` · trace ${workflow.traceId}`] : [];
}

/** A table with its header row, and its rows. */
function table(testId: string, titles: string[], rows: HTMLElement[]): HTMLElement {
  return h(
    'table',
    { 'data-testid': testId },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        titles.map((title) => h('th', {}, title)),
      ),
    ),
    h('tbody', {}, rows),
  );
}

/** The order (or the workflow's subject) and its status, flagged when stuck. */
function heading(doc: OrderDocument): HTMLElement {
  const { workflow } = doc;
  return h(
    'h2',
    {},
    workflow.workflowType === 'ORDER_FULFILLMENT'
      ? `Order ord-${workflow.orderId} `
      : `${workflow.workflowType} ${workflow.correlationId} `,
    badge(workflow.status, 'order-status'),
    doc.stuck ? badge('STUCK', 'order-stuck') : null,
  );
}

function facts(workflow: OrderDocument['workflow']): HTMLElement {
  return h(
    'p',
    { class: 'facts' },
    `${workflow.workflowType} · saga `,
    badge(workflow.saga.state, 'saga-state'),
    ` · current step ${workflow.currentStep ?? '—'} · started ${when(workflow.startedAt)} · last change ${when(workflow.updatedAt)}`,
    traceLink(workflow),
  );
}

/** What started the compensation, if anything did. */
function triggerLine(workflow: OrderDocument['workflow']): HTMLElement | null {
  return workflow.saga.trigger
    ? h(
        'p',
        { class: 'trigger', 'data-testid': 'trigger' },
        `Compensation: ${workflow.saga.trigger.kind} ${workflow.saga.trigger.reason}${workflow.saga.trigger.step ? ` at ${workflow.saga.trigger.step}` : ''} (${when(workflow.saga.trigger.at)})`,
      )
    : null;
}

function flagList(workflow: OrderDocument['workflow']): HTMLElement | null {
  return workflow.flags.length
    ? h(
        'ul',
        { class: 'flags' },
        workflow.flags.map((flag) => h('li', {}, `${flag.code}: ${flag.message}`)),
      )
    : null;
}

function stepsTable(steps: Step[]): HTMLElement {
  return table(
    'steps',
    ['Step', 'Service', 'Status', 'Attempts', 'Started', 'Finished', 'Error'],
    steps.map((step) =>
      h(
        'tr',
        { 'data-testid': 'step', 'data-step': step.name },
        h('td', {}, step.name),
        h('td', {}, step.service ?? '—'),
        h('td', {}, badge(step.status)),
        h('td', { 'data-testid': 'attempts' }, step.attempts),
        h('td', {}, when(step.startedAt)),
        h('td', {}, when(step.completedAt)),
        h('td', {}, step.error ? `${step.error.code ?? ''} ${step.error.message ?? ''}` : ''),
      ),
    ),
  );
}

function compensationsTable(compensations: CompensationStep[]): HTMLElement {
  if (!compensations.length) return h('p', { class: 'empty' }, 'Nothing compensated.');
  return table(
    'compensations',
    ['Action', 'Service', 'Outcome', 'Attempts', 'Asked', 'Settled'],
    compensations.map((c) =>
      h(
        'tr',
        { 'data-testid': 'compensation' },
        h('td', {}, c.step),
        h('td', {}, c.service),
        h('td', {}, badge(c.status)),
        h('td', {}, c.attempts),
        h('td', {}, when(c.startedAt)),
        h('td', {}, when(c.completedAt)),
      ),
    ),
  );
}

function webhooksTable(deliveries: Delivery[]): HTMLElement {
  if (!deliveries.length) return h('p', { class: 'empty' }, 'No webhook delivery.');
  return table(
    'webhooks',
    ['Created', 'Event', 'URL', 'Status', 'Attempts', 'Last answer'],
    deliveries.map((d) =>
      h(
        'tr',
        {},
        h('td', {}, when(d.createdAt)),
        h('td', {}, d.eventType),
        h('td', {}, d.url),
        h('td', {}, badge(d.status)),
        h('td', {}, d.attempts),
        h('td', {}, d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? '—')),
      ),
    ),
  );
}

/** Everything that happened to the order, as one list. */
function timeline(entries: TimelineEntry[]): HTMLElement {
  return h(
    'ol',
    { class: 'timeline', 'data-testid': 'timeline' },
    entries.map((entry) =>
      h(
        'li',
        { class: `entry ${entry.kind}`, 'data-testid': 'timeline-entry', 'data-kind': entry.kind },
        h('time', {}, when(entry.at)),
        h('span', { class: 'kind' }, entry.kind),
        h('strong', {}, entry.title),
        entry.step ? ` ${entry.step}` : null,
        entry.outcome ? [' ', badge(entry.outcome)] : null,
        entry.detail ? h('span', { class: 'detail' }, entry.detail) : null,
      ),
    ),
  );
}
