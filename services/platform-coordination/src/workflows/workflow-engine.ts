import { randomUUID } from 'node:crypto';
import type { EventMap, EventName } from '@fv/contracts';
import { NonRetriableError, type Outbox } from '@fv/messaging';
import type { Logger } from '@fv/service-kit';
import type { SqlClient as Db } from '@fv/messaging';
import {
  appendHistory,
  appendRecords,
  insertWorkflow,
  loadByCorrelation,
  loadById,
  moveNextDeadline,
  saveWorkflow,
  type HistoryEntry,
  type StoredWorkflow,
} from './workflow-store.js';
import { parseId } from '../shared/domain/ids.js';
import { traceIdOf } from '../shared/domain/trace-link.js';
import { deriveWorkflow, type WorkflowView } from './domain/derive.js';
import { observe, scalarFields, type Observation } from './domain/event-facts.js';
import { reduceWorkflow, type Reduction, type WorkflowEffect, type WorkflowInput } from './domain/reduce.js';
import type { ObserverClock, WorkflowState } from './domain/state.js';
import type { WorkflowTemplate } from './domain/template.js';
import type { WebhookFanout } from '../webhooks/webhook-fanout.js';
import { carryOutEffect, type EffectScope } from './workflow-effects.js';

/** Another writer kept changing the workflow: the whole operation is tried again later. */
export class ConcurrentUpdateError extends Error {
  readonly retriable = true;
  readonly code = 'CONCURRENT_UPDATE';
  constructor(what: string) {
    super(`${what} kept changing under concurrent updates; try again`);
    this.name = 'ConcurrentUpdateError';
  }
}

/** Causation and trace of what this change publishes. */
export interface PublishContext {
  causationId: string | null;
  traceparent: string | null;
}

export interface AppliedChange {
  workflow: StoredWorkflow;
  reduction: Reduction;
}

/** What happened, as the engine reports it to metrics and logs after the change is stored. */
export interface WorkflowTransition {
  workflowId: string;
  type: string;
  effects: WorkflowEffect[];
  view: WorkflowView;
}

export interface WorkflowEngineDeps {
  /** The workflow types followed, the order fulfilment first (see `domain/workflow/templates`). */
  templates: WorkflowTemplate[];
  outbox: Outbox;
  webhooks: WebhookFanout;
  logger: Logger;
  now?: () => Date;
  /** Attempts of the compare-and-set on the saga's version before giving up (retriable). */
  maxAttempts?: number;
  /** Producers whose events may open a workflow (empty: any). */
  openingProducers?: readonly string[];
  /**
   * How far the observer has caught up (see `observer-progress.ts`); timeouts and compensation re-sends
   * are judged against it. Absent: against `now`.
   */
  observerClock?: () => ObserverClock;
}

/** A correlation key as stored: an order id without its prefix; a return's or replenishment's id as given (a UUID lower-cased). */
function correlationKey(template: WorkflowTemplate, raw: string): string | null {
  if (template.keyPrefixes.length) return parseId(raw, template.keyPrefixes);
  return parseId(raw, []) ?? (raw.length <= 200 ? raw : null);
}

const ENVELOPE = new Set(['eventId', 'occurredAt', 'correlationId', 'causationId', 'producer']);

/**
 * The saga observer's core: applies platform events, requests and the passing of time to workflows,
 * through the pure rules of `domain/workflow`, and stores the result with a compare-and-set on the
 * saga's version, together with what it publishes (outbox), its history, compensation logs and webhook
 * deliveries — all in the caller's transaction.
 */
export class WorkflowEngine {
  private readonly now: () => Date;
  private readonly listeners: ((transition: WorkflowTransition) => void)[] = [];

  constructor(private readonly deps: WorkflowEngineDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** The order fulfilment template (the one POST /workflows/order/start runs). */
  get template(): WorkflowTemplate {
    return this.deps.templates[0]!;
  }

  get templates(): readonly WorkflowTemplate[] {
    return this.deps.templates;
  }

  /** The template of a stored workflow's type. */
  templateFor(type: string): WorkflowTemplate {
    const template = this.deps.templates.find((candidate) => candidate.type === type);
    if (!template) throw new Error(`no template for workflow type ${type}`);
    return template;
  }

  /** Called with every stored change (in the transaction that makes it; it may still roll back). */
  onTransition(listener: (transition: WorkflowTransition) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Reads a platform event into every workflow it names (an order's, a return's, ...): null when it
   * names none, or names only workflows nobody follows that it cannot open.
   */
  async observe<N extends EventName>(
    tx: Db,
    name: N,
    event: EventMap[N],
    publish: PublishContext,
  ): Promise<AppliedChange | null> {
    let applied: AppliedChange | null = null;
    for (const template of this.deps.templates) {
      const observation = observe(template, name, event);
      if (!observation) continue;
      const key = correlationKey(template, observation.key);
      if (!key) {
        throw new NonRetriableError(
          `${name} names ${template.type} workflow "${observation.key}", which is not a valid id`,
          'INVALID_EVENT',
        );
      }
      const normalized: Observation = { ...observation, key };
      const producers = this.deps.openingProducers ?? [];
      const mayOpen = normalized.opens && (producers.length === 0 || producers.includes(event.producer));
      const change = await this.apply(
        tx,
        template,
        { key },
        { kind: 'event', observation: normalized },
        { openedBy: name, mayCreate: mayOpen },
        publish,
        [this.observedEntry(name, event, normalized)],
      );
      applied ??= change;
    }
    return applied;
  }

  /** Starts (or joins) the workflow of an order on a request. */
  async start(
    tx: Db,
    orderId: string,
    input: Extract<WorkflowInput, { kind: 'start' }>,
    publish: PublishContext,
  ): Promise<AppliedChange> {
    const change = await this.apply(
      tx,
      this.template,
      { key: orderId },
      input,
      { openedBy: 'REQUEST', mayCreate: true },
      publish,
      [
        {
          eventType: 'WORKFLOW_START_REQUESTED',
          payload: { details: 'Order fulfillment workflow requested', requestedBy: input.requestedBy },
          occurredAt: new Date(input.at),
        },
      ],
    );
    return change!;
  }

  /** A request on an existing workflow (cancel, compensate, retry). */
  async command(
    tx: Db,
    workflowId: string,
    input: Exclude<WorkflowInput, { kind: 'event' | 'start' | 'tick' }>,
    publish: PublishContext,
    history: HistoryEntry[],
  ): Promise<AppliedChange | null> {
    return this.apply(
      tx,
      null,
      { workflowId },
      input,
      { openedBy: 'REQUEST', mayCreate: false },
      publish,
      history,
    );
  }

  /** Applies the passing of time: timeouts, compensation retries. */
  async tick(tx: Db, workflowId: string): Promise<AppliedChange | null> {
    return this.apply(
      tx,
      null,
      { workflowId },
      { kind: 'tick', at: this.now().getTime() },
      { openedBy: 'REQUEST', mayCreate: false },
      { causationId: null, traceparent: null },
      [],
    );
  }

  /** The workflow's view as it is stored. */
  view(state: WorkflowState, type = this.template.type): WorkflowView {
    return deriveWorkflow(this.templateFor(type), state);
  }

  /**
   * Applies an input to the workflow the locator names: by correlation key within `chosen`'s type, or
   * by id (its template then follows from its stored type).
   */
  private async apply(
    tx: Db,
    chosen: WorkflowTemplate | null,
    locator: { key: string } | { workflowId: string },
    input: WorkflowInput,
    options: { openedBy: string; mayCreate: boolean },
    publish: PublishContext,
    history: HistoryEntry[],
  ): Promise<AppliedChange | null> {
    const maxAttempts = this.deps.maxAttempts ?? 25;
    const traceId = traceIdOf(publish.traceparent);
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const stored =
        'key' in locator
          ? await loadByCorrelation(tx, chosen!.type, locator.key)
          : await loadById(tx, locator.workflowId);
      if (!stored && !options.mayCreate) return null;
      const template = stored ? this.templateFor(stored.type) : chosen!;
      const now = this.now();
      const clock = this.deps.observerClock?.();
      const reduction = reduceWorkflow(
        { template, now: now.getTime(), newId: randomUUID, ...(clock ? { clock } : {}) },
        stored?.state ?? null,
        input,
        options.openedBy,
      );
      if (!stored) {
        const orderId = (locator as { key: string }).key;
        const created: StoredWorkflow = {
          id: randomUUID(),
          sagaId: randomUUID(),
          type: template.type,
          orderId,
          version: 1,
          state: reduction.state,
          createdAt: now,
        };
        const inserted = await insertWorkflow(
          tx,
          {
            ...created,
            sagaType: template.sagaType,
            templateVersion: template.version,
            openedBy: options.openedBy,
          },
          reduction.state,
          reduction.view,
          now,
          traceId,
        );
        if (!inserted) continue;
        await this.carryOut(tx, template, created, reduction, publish, history, now);
        return { workflow: created, reduction };
      }
      if (!reduction.changed) {
        await appendHistory(tx, stored.id, history);
        // Nothing was due after all (the observer's clock is behind the wall clock, or it was down):
        // look again when something is.
        if (input.kind === 'tick') await moveNextDeadline(tx, stored, reduction.view.nextDeadline);
        return { workflow: stored, reduction };
      }
      const previous = deriveWorkflow(template, stored.state);
      if (!(await saveWorkflow(tx, stored, reduction.state, reduction.view, previous, now, traceId))) {
        this.deps.logger.debug({ workflowId: stored.id, attempt }, 'saga version moved on; applying again');
        continue;
      }
      const updated = { ...stored, version: stored.version + 1, state: reduction.state };
      await this.carryOut(tx, template, updated, reduction, publish, history, now);
      return { workflow: updated, reduction };
    }
    throw new ConcurrentUpdateError(`workflow ${JSON.stringify(locator)}`);
  }

  private observedEntry<N extends EventName>(
    name: N,
    event: EventMap[N],
    observation: Observation,
  ): HistoryEntry {
    const fields = Object.fromEntries(
      Object.entries(scalarFields(event)).filter(([key]) => !ENVELOPE.has(key)),
    );
    const step = observation.steps[0];
    return {
      eventType: name,
      stepName: step?.step ?? null,
      sourceEventId: event.eventId,
      payload: {
        details: `${name} from ${event.producer}`,
        producer: event.producer,
        causationId: event.causationId,
        fields,
      },
      occurredAt: new Date(event.occurredAt),
    };
  }

  private async carryOut(
    tx: Db,
    template: WorkflowTemplate,
    workflow: StoredWorkflow,
    reduction: Reduction,
    publish: PublishContext,
    observed: HistoryEntry[],
    now: Date,
  ): Promise<void> {
    const { view, state } = reduction;
    const references = state.references ?? {};
    const scope: EffectScope = {
      tx,
      outbox: this.deps.outbox,
      template,
      workflow,
      reduction,
      view,
      state,
      references,
      orderId: template.keyPrefixes.includes('ord') ? workflow.orderId : (references.orderId ?? null),
      order: state.order ?? state.request,
      base: { workflowId: workflow.id, workflowType: template.type },
      meta: (eventId) => ({
        correlationId: workflow.orderId,
        causationId: publish.causationId,
        traceparent: publish.traceparent,
        ...(eventId ? { eventId } : {}),
      }),
      history: [...observed],
      logs: [],
      hooks: [],
      now,
      logger: this.deps.logger,
    };
    for (const effect of reduction.effects) await carryOutEffect(scope, effect);
    await appendRecords(tx, workflow, scope.history, scope.logs, now);
    await this.deps.webhooks.enqueue(tx, scope.hooks, now);
    const transition = { workflowId: workflow.id, type: workflow.type, effects: reduction.effects, view };
    for (const listener of this.listeners) listener(transition);
  }
}
