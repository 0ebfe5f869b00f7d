import { eventNames, topicOf } from '@fv/contracts';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../shared/db.js';
import { pendingByTopic } from './dead-letter-store.js';

export const DLQ_PENDING_METRIC = 'dlq_pending_messages';

/**
 * `dlq_pending_messages{topic}`: PENDING dead letters per original topic, read from the ledger when
 * scraped (every replica reports the same numbers: aggregate with max). Every topic of the event catalog
 * is reported, 0 when it has none, so a dashboard shows the series before the first dead letter.
 */
export function registerDeadLetterMetrics(
  registry: FastifyInstance['metrics'],
  options: { prisma: Db },
): void {
  const catalogTopics = eventNames.map((name) => topicOf(name) as string);
  const metric = {
    name: DLQ_PENDING_METRIC,
    help: 'Dead-lettered messages not replayed or discarded yet, by original topic',
    type: 'gauge',
    aggregator: 'max',
    async get() {
      const counts = new Map<string, number>(catalogTopics.map((topic) => [topic, 0]));
      for (const row of await pendingByTopic(options.prisma)) counts.set(row.topic, row.count);
      return {
        name: DLQ_PENDING_METRIC,
        help: metric.help,
        type: 'gauge',
        aggregator: 'max',
        values: [...counts]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([topic, value]) => ({ labels: { topic }, value })),
      };
    },
    reset() {},
  };
  registry.registerMetric(metric as never);
}
