import { runtimeHarness } from '@fv/service-runtime/testing';
import { randomUUID } from 'node:crypto';
import { eventNamesOfDomain, type EventMap, type EventName, type EventPayload } from '@fv/contracts';
import { signToken, type Logger } from '@fv/service-kit';
import type { ServiceRuntime } from '@fv/service-runtime';
import { ServiceHarness } from '@fv/testing';
import type { LightMyRequestResponse } from 'fastify';
import type { CatalogConfig } from '../src/config.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { productCatalogService } from '../src/service.js';

const secret = 'catalog-test-secret-0123456789';
export const tokens = {
  admin: `Bearer ${signToken(secret, { sub: 'catalog-admin', roles: ['admin'], expiresIn: 600 })}`,
  customer: `Bearer ${signToken(secret, { sub: 'shopper-1', roles: ['customer'], expiresIn: 600 })}`,
  service: `Bearer ${signToken(secret, { sub: 'orders', roles: ['service'], expiresIn: 600 })}`,
};

/**
 * The catalog on a fresh database against the shared broker and registry, a producer for the events
 * inventory sends it, and collectors of what it publishes and dead-letters.
 */
export class Catalog extends ServiceHarness<ServiceRuntime<PrismaClient, CatalogConfig>> {
  protected readonly eventSource = 'catalog-test';
  protected readonly consumedEvents: EventName[] = ['InventoryUpdated'];

  /**
   * Starts the catalog as `name`: on PostgreSQL, or on the embedded PGlite when TEST_DATABASE=pglite
   * (the same suite on the other database); with `logger` instead of its own, logging at `logLevel`.
   */
  start(name: string, options: { logger?: Logger; logLevel?: string } = {}): Promise<this> {
    return this.startService({
      service: name,
      produced: eventNamesOfDomain('catalog'),
      ...runtimeHarness(productCatalogService, options.logger ? { logger: options.logger } : {}),
      database: process.env.TEST_DATABASE === 'pglite' ? 'embedded' : 'postgres',
      env: {
        JWT_SECRET: secret,
        ...(options.logLevel === undefined ? {} : { LOG_LEVEL: options.logLevel }),
      },
    });
  }

  /** A request to the catalog's API, as the admin unless another `token` (or null: none) is given. */
  request({
    method = 'GET',
    url,
    token = tokens.admin,
    payload,
    headers = {},
  }: {
    method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
    url: string;
    token?: string | null;
    payload?: unknown;
    headers?: Record<string, string>;
  }): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method,
      url,
      headers: { ...(token ? { authorization: token } : {}), ...headers },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  }

  /** Rows the catalog wrote to its outbox for `name` (every event it has ever decided to publish). */
  async outboxCount(name: EventName, productId: string): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ count: number }[]>`
      select count(*)::int as count from outbox_events where event_name = ${name} and payload->>'productId' = ${productId}`;
    return rows[0]?.count ?? 0;
  }
}

/** Starts the catalog (see `Catalog.start`). */
export function startCatalog(
  name: string,
  options: { logger?: Logger; logLevel?: string } = {},
): Promise<Catalog> {
  return new Catalog().start(name, options);
}

/** A full event as another service would write it. */
export function externalEvent<N extends EventName>(
  payload: EventPayload<N>,
  overrides: Partial<EventMap[N]> = {},
): EventMap[N] {
  return {
    eventId: randomUUID(),
    occurredAt: Date.now(),
    correlationId: randomUUID(),
    causationId: null,
    producer: 'inventory',
    ...payload,
    ...overrides,
  } as EventMap[N];
}

export function newSku(prefix = 'SKU'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`.toUpperCase();
}
