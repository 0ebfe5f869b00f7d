import { randomBytes, randomUUID } from 'node:crypto';
import { AppError, notFound, pagination } from '@fv/service-kit';
import type { Db } from '../shared/db.js';
import { parseId } from '../shared/domain/ids.js';
import type { WebhookDelivery, WebhookSubscription } from '../generated/prisma/client.js';
import type { OutboundPolicy } from '../net/outbound-policy.js';
import type { WebhookFanout } from './webhook-fanout.js';

export interface SubscriptionInput {
  url: string;
  eventTypes: string[];
  secret?: string;
}

function subscriptionView(row: WebhookSubscription) {
  return {
    subscriptionId: row.id,
    url: row.url,
    eventTypes: row.eventTypes,
    active: row.active,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}

function deliveryView(row: WebhookDelivery) {
  return {
    deliveryId: row.id,
    event: row.eventType,
    workflowId: row.workflowId,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'PENDING' ? row.nextAttemptAt.toISOString() : null,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    history: row.history,
    payload: row.payload,
  };
}

/** Webhook subscriptions and the record of their deliveries. */
export class WebhookService {
  constructor(
    private readonly deps: {
      prisma: Db;
      fanout: WebhookFanout;
      /** Which URLs may be subscribed (deliveries call them). */
      outbound: OutboundPolicy;
    },
  ) {}

  async create(input: SubscriptionInput, createdBy: string) {
    let url: URL | null = null;
    try {
      url = new URL(input.url);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new AppError('INVALID_REQUEST', 'body.url must be an absolute http(s) URL', {
        details: {
          fields: [{ field: 'body.url', rule: 'format', message: 'must be an absolute http(s) URL' }],
        },
      });
    }
    const refused = await this.deps.outbound.admit(url.toString());
    if (refused) {
      throw new AppError('INVALID_REQUEST', `body.url ${refused.reason}`, {
        details: { fields: [{ field: 'body.url', rule: 'outbound-policy', message: refused.reason }] },
      });
    }
    const secret = input.secret ?? randomBytes(32).toString('hex');
    const row = await this.deps.prisma.webhookSubscription.create({
      data: {
        id: randomUUID(),
        url: url.toString(),
        eventTypes: [...new Set(input.eventTypes)],
        secret,
        createdBy,
      },
    });
    this.deps.fanout.invalidate();
    return { ...subscriptionView(row), secret };
  }

  async list() {
    const rows = await this.deps.prisma.webhookSubscription.findMany({
      where: { active: true },
      orderBy: { createdAt: 'asc' },
    });
    return { subscriptions: rows.map(subscriptionView) };
  }

  private async find(rawId: string): Promise<WebhookSubscription> {
    const id = parseId(rawId, []);
    const row = id ? await this.deps.prisma.webhookSubscription.findUnique({ where: { id } }) : null;
    if (!row || !row.active)
      throw notFound('NOT_FOUND', `Webhook subscription ${rawId} does not exist`, { subscriptionId: rawId });
    return row;
  }

  async get(rawId: string) {
    return subscriptionView(await this.find(rawId));
  }

  /** Stops deliveries; the subscription and its delivery record are kept (pending deliveries are given up). */
  async remove(rawId: string) {
    const row = await this.find(rawId);
    await this.deps.prisma.webhookSubscription.update({ where: { id: row.id }, data: { active: false } });
    this.deps.fanout.invalidate();
  }

  async deliveries(rawId: string, page: number, size: number) {
    const row = await this.find(rawId);
    const [rows, total] = await Promise.all([
      this.deps.prisma.webhookDelivery.findMany({
        where: { subscriptionId: row.id },
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
        skip: page * size,
        take: size,
      }),
      this.deps.prisma.webhookDelivery.count({ where: { subscriptionId: row.id } }),
    ]);
    return {
      deliveries: rows.map(deliveryView),
      pagination: pagination(page, size, total),
    };
  }
}
