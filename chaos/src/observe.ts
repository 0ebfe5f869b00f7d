import { callSteadily } from './http.js';
import {
  isFinalStatus,
  type OrderFacts,
  type PaymentFacts,
  type StockFacts,
  type WorkflowFacts,
} from './invariants.js';
import type { PlacedOrder, Product } from './load.js';
import { sleep } from './supervisor.js';

export interface Endpoints {
  orders: string;
  coordination: string;
  inventory: string;
  delivery: string;
  notifications: string;
  /** The payment provider simulator, when the platform runs one. */
  paymentProvider: string | null;
}

interface OrderSummary {
  orderId: string;
  status: string;
}

interface OrderView {
  orderId: string;
  status: string;
  items: { productId: string; quantity: number }[];
  metadata: Record<string, string>;
  payment: {
    status: string;
    providerReference: string | null;
    authorizedAt: string | null;
    capturedAt: string | null;
  } | null;
  failure: { reason?: string | null; code: string | null; message: string | null } | null;
  cancellation: { reason: string } | null;
  history: { to: string }[];
  completedAt: string | null;
}

interface ProviderAuthorization {
  id: string;
  status: string;
  operations: { object: string }[];
}

/** Every order the order service holds (id and status), all pages. */
export async function listOrders(ordersUrl: string, admin: string): Promise<OrderSummary[]> {
  const all: OrderSummary[] = [];
  for (let page = 0; ; page += 1) {
    const { status, body } = await callSteadily<{
      orders: OrderSummary[];
      pagination: { totalPages: number };
    }>('GET', `${ordersUrl}/api/v1/orders?size=100&page=${page}&sort=createdAt,asc`, admin);
    if (status !== 200) throw new Error(`GET /orders answered ${status}: ${JSON.stringify(body)}`);
    all.push(...body.orders);
    if (page + 1 >= body.pagination.totalPages) return all;
  }
}

/**
 * Waits until the platform is quiet — every order final, no workflow active, nothing reserved — twice in a
 * row, or until `timeoutMs`. Answers whether it got quiet, and what was still moving if not.
 */
export async function waitForQuiescence(options: {
  endpoints: Endpoints;
  admin: string;
  products: Product[];
  timeoutMs: number;
  log: (line: string) => void;
}): Promise<{ quiet: boolean; waitedMs: number; lastState: string }> {
  const started = Date.now();
  let quietRounds = 0;
  let lastState = '';
  let lastLogged = 0;
  while (Date.now() - started < options.timeoutMs) {
    try {
      const orders = await listOrders(options.endpoints.orders, options.admin);
      const open = orders.filter((order) => !isFinalStatus(order.status));
      const active = await callSteadily<{ summary: { totalActive: number } }>(
        'GET',
        `${options.endpoints.coordination}/api/v1/workflows/active?size=1`,
        options.admin,
      );
      let reserved = 0;
      for (const product of options.products) {
        const stock = await callSteadily<{ reserved: number }>(
          'GET',
          `${options.endpoints.inventory}/api/v1/inventory/${product.productId}`,
          options.admin,
        );
        reserved += stock.body.reserved ?? 0;
      }
      const activeWorkflows = active.body.summary?.totalActive ?? -1;
      const byStatus = countBy(open.map((order) => order.status));
      lastState = `${open.length} orders not final${open.length ? ` (${byStatus})` : ''}, ${activeWorkflows} active workflows, ${reserved} units reserved`;
      if (open.length === 0 && activeWorkflows === 0 && reserved === 0) quietRounds += 1;
      else quietRounds = 0;
      if (quietRounds >= 2) return { quiet: true, waitedMs: Date.now() - started, lastState };
    } catch (error) {
      quietRounds = 0;
      lastState = `the platform did not answer: ${(error as Error).message}`;
    }
    if (Date.now() - lastLogged > 15_000) {
      options.log(`settling: ${lastState}`);
      lastLogged = Date.now();
    }
    await sleep(3000);
  }
  return { quiet: false, waitedMs: Date.now() - started, lastState };
}

export interface Observation {
  orders: OrderFacts[];
  notAccepted: { key: string; lastError: string | null }[];
  stock: StockFacts[];
  /** Where captures were counted: the provider's ledger, or the order service's payment records. */
  paymentSource: string;
}

/** Reads the platform's final state through its APIs. */
export async function observe(options: {
  endpoints: Endpoints;
  admin: string;
  products: Product[];
  placed: PlacedOrder[];
}): Promise<Observation> {
  const { endpoints, admin } = options;
  const summaries = await listOrders(endpoints.orders, admin);
  const views = await mapPool(summaries, 8, async (summary) => {
    const { status, body } = await callSteadily<OrderView>(
      'GET',
      `${endpoints.orders}/api/v1/orders/${summary.orderId}`,
      admin,
    );
    if (status !== 200) throw new Error(`GET /orders/${summary.orderId} answered ${status}`);
    return body;
  });
  const placedByKey = new Map(options.placed.map((order) => [order.key, order]));
  const runKeys = new Set(placedByKey.keys());
  // Orders of this run: those the storefront was answered for, and those carrying one of its keys.
  const ours = views.filter(
    (view) =>
      runKeys.has(view.metadata?.chaosKey ?? '') ||
      options.placed.some((order) => order.orderId === view.orderId),
  );
  const foreign = views.filter((view) => !ours.includes(view));

  let providerAnswered = false;
  const facts = await mapPool([...ours, ...foreign], 8, async (view): Promise<OrderFacts> => {
    const key =
      view.metadata?.chaosKey && runKeys.has(view.metadata.chaosKey) ? view.metadata.chaosKey : null;
    const placed = key ? placedByKey.get(key) : undefined;
    const [workflow, shipments, confirmations, provider] = await Promise.all([
      workflowOf(endpoints.coordination, admin, view.orderId),
      shipmentsOf(endpoints.delivery, admin, view.orderId),
      confirmationsOf(endpoints.notifications, admin, view.orderId),
      endpoints.paymentProvider ? providerPayment(endpoints.paymentProvider, view) : Promise.resolve(null),
    ]);
    if (provider && provider.authorizations > 0) providerAnswered = true;
    const history = view.history.map((change) => change.to);
    if (!history.includes(view.status)) history.push(view.status);
    return {
      orderId: view.orderId,
      key,
      card: placed?.card ?? null,
      lines: view.items.map((item) => ({ productId: item.productId, quantity: item.quantity })),
      status: view.status,
      history,
      completedAt: view.completedAt ? Date.parse(view.completedAt) : null,
      reason:
        [
          view.failure?.reason,
          view.failure?.code,
          view.cancellation ? `cancelled ${view.cancellation.reason}` : null,
        ]
          .filter(Boolean)
          .join(', ') || null,
      failureReason: view.failure?.reason ?? null,
      workflow,
      payment: provider ?? ordersPayment(view),
      shipments,
      confirmations,
    };
  });
  // Captures come from the provider when the order service really uses it; otherwise from its own records.
  let paymentSource = 'the order service payment records (no payment provider simulator in this platform)';
  if (endpoints.paymentProvider) {
    if (providerAnswered) paymentSource = `the payment provider's ledger (${endpoints.paymentProvider})`;
    else {
      paymentSource =
        'the order service payment records: the payment provider holds no authorization for any order, so the order service does not use it';
      const byId = new Map(views.map((view) => [view.orderId, view]));
      for (const fact of facts) fact.payment = ordersPayment(byId.get(fact.orderId)!);
    }
  }

  const accepted = new Set(facts.map((fact) => fact.key).filter((key) => key !== null));
  const notAccepted = options.placed
    .filter((order) => !accepted.has(order.key))
    .map((order) => ({ key: order.key, lastError: order.lastError }));

  const stock = await mapPool(options.products, 4, async (product): Promise<StockFacts> => {
    const { status, body } = await callSteadily<{ onHand: number; reserved: number }>(
      'GET',
      `${endpoints.inventory}/api/v1/inventory/${product.productId}`,
      admin,
    );
    if (status !== 200) throw new Error(`GET /inventory/${product.productId} answered ${status}`);
    return {
      productId: product.productId,
      sku: product.sku,
      initialOnHand: product.initialOnHand,
      onHand: body.onHand,
      reserved: body.reserved,
    };
  });
  return { orders: facts, notAccepted, stock, paymentSource };
}

async function workflowOf(
  coordinationUrl: string,
  admin: string,
  orderId: string,
): Promise<WorkflowFacts | null> {
  const { status, body } = await callSteadily<{
    status: string;
    saga: { state: string; compensationPlan?: string[]; trigger?: { reason?: string; kind?: string } };
  }>('GET', `${coordinationUrl}/api/v1/workflows/${orderId}/status`, admin);
  if (status === 404) return null;
  if (status !== 200) throw new Error(`GET /workflows/${orderId}/status answered ${status}`);
  return {
    status: body.status,
    sagaState: body.saga.state,
    compensations: body.saga.compensationPlan ?? [],
    trigger: body.saga.trigger ? (body.saga.trigger.reason ?? body.saga.trigger.kind ?? null) : null,
  };
}

async function shipmentsOf(deliveryUrl: string, admin: string, orderId: string) {
  const { status, body } = await callSteadily<{ content: { shipmentId: string; status: string }[] }>(
    'GET',
    `${deliveryUrl}/api/v1/shipments?orderId=${orderId}&size=100`,
    admin,
  );
  if (status !== 200) throw new Error(`GET /shipments?orderId=${orderId} answered ${status}`);
  return body.content.map((shipment) => ({ shipmentId: shipment.shipmentId, status: shipment.status }));
}

async function confirmationsOf(notificationsUrl: string, admin: string, orderId: string) {
  const { status, body } = await callSteadily<{
    content: { templateId: string; channel: string; status: string }[];
  }>('GET', `${notificationsUrl}/api/v1/notifications?orderId=${orderId}&size=100`, admin);
  if (status !== 200) throw new Error(`GET /notifications?orderId=${orderId} answered ${status}`);
  return body.content
    .filter((note) => note.templateId === 'order-confirmed')
    .map((note) => ({ channel: note.channel, status: note.status }));
}

/** The provider's authorizations for the order: by merchant reference, and the one the order service names. */
async function providerPayment(providerUrl: string, view: OrderView): Promise<PaymentFacts | null> {
  const byId = new Map<string, ProviderAuthorization>();
  const listed = await callSteadily<{ authorizations: ProviderAuthorization[] }>(
    'GET',
    `${providerUrl}/v1/authorizations?merchantReference=${encodeURIComponent(view.orderId)}`,
    '',
  );
  if (listed.status === 200) for (const found of listed.body.authorizations) byId.set(found.id, found);
  const reference = view.payment?.providerReference;
  if (reference && !byId.has(reference)) {
    const one = await callSteadily<ProviderAuthorization>(
      'GET',
      `${providerUrl}/v1/authorizations/${encodeURIComponent(reference)}`,
      '',
    );
    if (one.status === 200) byId.set(one.body.id, one.body);
  }
  const authorizations = [...byId.values()];
  if (authorizations.length === 0)
    return view.payment ? { authorizations: 0, captures: 0, returned: false } : null;
  return {
    authorizations: authorizations.length,
    captures: authorizations.reduce(
      (sum, found) => sum + found.operations.filter((operation) => operation.object === 'capture').length,
      0,
    ),
    returned: authorizations.every((found) => ['VOIDED', 'REFUNDED'].includes(found.status)),
  };
}

function ordersPayment(view: OrderView): PaymentFacts | null {
  const payment = view.payment;
  if (!payment) return null;
  return {
    authorizations: payment.authorizedAt ? 1 : 0,
    captures: payment.capturedAt ? 1 : 0,
    returned: ['VOIDED', 'REFUNDED'].includes(payment.status),
  };
}

function countBy(values: string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => `${count} ${value}`).join(', ');
}

export async function mapPool<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}
