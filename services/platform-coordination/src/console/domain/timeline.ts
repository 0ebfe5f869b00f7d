/** One line of an order's timeline in the console, whatever it came from. */
export interface TimelineEntry {
  at: string;
  /** event: a platform event the observer applied; step / compensation / retry: what the saga did with it. */
  kind: 'event' | 'step' | 'compensation' | 'retry' | 'workflow' | 'attention' | 'dead-letter' | 'webhook';
  title: string;
  step: string | null;
  /** SUCCEEDED, FAILED, PENDING, ... where the entry has an outcome. */
  outcome: string | null;
  detail: string;
  /** The dead letter's ledger id or the webhook delivery's id. */
  ref: string | null;
}

export interface HistoryInput {
  timestamp: string;
  event: string;
  step?: string;
  details: string;
}

export interface DeadLetterInput {
  id: string;
  status: string;
  originalTopic: string;
  eventName: string | null;
  error: { code: string; message: string | null };
  failedAt: string;
  consumerGroup: string | null;
}

export interface DeliveryInput {
  id: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  subscription: { url: string };
}

const OUTCOMES: Record<string, string> = {
  STEP_COMPLETED: 'SUCCEEDED',
  STEP_FAILED: 'FAILED',
  COMPENSATION_COMPLETED: 'SUCCEEDED',
  COMPENSATION_FAILED: 'FAILED',
  WORKFLOW_COMPLETED: 'SUCCEEDED',
  WORKFLOW_COMPENSATED: 'COMPENSATED',
  WORKFLOW_CANCELLED: 'CANCELLED',
  WORKFLOW_FAILED: 'FAILED',
};

function kindOf(event: string): TimelineEntry['kind'] {
  if (event.startsWith('STEP_RETRY')) return 'retry';
  if (event.startsWith('STEP_')) return 'step';
  if (event.startsWith('COMPENSATION_')) return 'compensation';
  if (event.startsWith('WORKFLOW_')) return 'workflow';
  if (event === 'OPERATOR_ATTENTION_REQUIRED') return 'attention';
  return 'event';
}

/** The order's history, its dead letters and its webhook deliveries, in time order. */
export function timelineOf(
  history: readonly HistoryInput[],
  deadLetters: readonly DeadLetterInput[],
  deliveries: readonly DeliveryInput[],
): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...history.map((entry) => ({
      at: entry.timestamp,
      kind: kindOf(entry.event),
      title: entry.event,
      step: entry.step ?? null,
      outcome: OUTCOMES[entry.event] ?? null,
      detail: entry.details,
      ref: null,
    })),
    ...deadLetters.map((letter) => ({
      at: letter.failedAt,
      kind: 'dead-letter' as const,
      title: `${letter.eventName ?? 'Message'} dead-lettered from ${letter.originalTopic}`,
      step: null,
      outcome: letter.status,
      detail: [
        letter.error.code,
        letter.error.message,
        letter.consumerGroup && `group ${letter.consumerGroup}`,
      ]
        .filter(Boolean)
        .join(' · '),
      ref: letter.id,
    })),
    ...deliveries.map((delivery) => ({
      at: delivery.createdAt.toISOString(),
      kind: 'webhook' as const,
      title: `Webhook ${delivery.eventType} to ${delivery.subscription.url}`,
      step: null,
      outcome: delivery.status,
      detail: [
        `${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}`,
        delivery.lastStatusCode === null ? null : `HTTP ${delivery.lastStatusCode}`,
        delivery.lastError,
        delivery.deliveredAt ? `delivered ${delivery.deliveredAt.toISOString()}` : null,
      ]
        .filter(Boolean)
        .join(' · '),
      ref: delivery.id,
    })),
  ];
  // Stable: entries at the same instant keep the order they were recorded in.
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => Date.parse(a.entry.at) - Date.parse(b.entry.at) || a.index - b.index)
    .map(({ entry }) => entry);
}
