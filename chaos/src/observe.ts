import pg from 'pg';
import { callSteadily } from './http.js';
import {
  isFinalStatus,
  toMinor,
  type CouponFacts,
  type OrderFacts,
  type PaymentFacts,
  type ReplenishmentFacts,
  type ReturnFacts,
  type StockFacts,
  type WorkflowFacts,
  type WorkflowView,
} from './invariants.js';
import type { PlacedOrder, Product } from './load.js';
import type { PlannedReturn } from './returns.js';
import { sleep } from './supervisor.js';

export interface Endpoints {
  orders: string;
  coordination: string;
  inventory: string;
  delivery: string;
  notifications: string;
  /** The payment provider simulator, when the platform runs one. */
  paymentProvider: string | null;
  /** The supplier simulator, when the platform runs one. */
  supplier?: string | null;
}

interface OrderSummary {
  orderId: string;
  status: string;
}

interface OrderView {
  orderId: string;
  status: string;
  items: { productId: string; quantity: number; unitPrice: string }[];
  metadata: Record<string, string>;
  refunds: { refundId: string; amount: string; reason: string }[];
  couponCode: string | null;
  discountAmount: string | null;
  /** The total less the coupon's discount: what the payment is for. */
  chargedAmount: string;
  payment: {
    status: string;
    amount: string;
    refundedAmount: string;
    providerReference: string | null;
    authorizedAt: string | null;
    capturedAt: string | null;
    /** A split payment's parts; null for one payment method. */
    parts?: { index: number; amount: string; status: string }[] | null;
  } | null;
  failure: { reason?: string | null; code: string | null; message: string | null } | null;
  cancellation: { reason: string } | null;
  history: { to: string }[];
  completedAt: string | null;
}

interface CouponView {
  code: string;
  usageLimit: number | null;
  uses: number;
}

interface ProviderAuthorization {
  id: string;
  status: string;
  capturedAmount?: string | null;
  refundedAmount?: string | null;
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
  returns: ReturnFacts[];
  replenishments: ReplenishmentFacts[];
  coupons: CouponFacts[];
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
  /** The returns the storefront made. */
  returns?: PlannedReturn[];
  /** The inventory's database: its stock movements (the audit trail) are read for restocks. */
  inventoryDatabaseUrl?: string | null;
  /** The run's promotion codes. */
  couponCodes?: string[];
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
  const facts = await mapPool(
    [...ours, ...foreign],
    8,
    async (view): Promise<OrderFacts & { notices: { channel: string; status: string }[] }> => {
      const key =
        view.metadata?.chaosKey && runKeys.has(view.metadata.chaosKey) ? view.metadata.chaosKey : null;
      const placed = key ? placedByKey.get(key) : undefined;
      const [workflow, shipments, notes, provider] = await Promise.all([
        workflowOf(endpoints.coordination, admin, view.orderId),
        shipmentsOf(endpoints.delivery, admin, view.orderId),
        notificationsOf(endpoints.notifications, admin, view.orderId),
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
        failureCode: view.failure?.code ?? null,
        coupon: placed?.coupon ?? null,
        couponCode: view.couponCode,
        discountMinor: view.discountAmount === null ? null : toMinor(view.discountAmount),
        chargedMinor: toMinor(view.chargedAmount),
        parts: placed ? (placed.parts?.length ?? 1) : null,
        workflow,
        payment: provider ?? ordersPayment(view),
        shipments,
        confirmations: notes
          .filter((note) => note.templateId === 'order-confirmed')
          .map(({ channel, status }) => ({ channel, status })),
        returned: null,
        notices: notes
          .filter((note) => note.templateId === 'return-refunded')
          .map(({ channel, status }) => ({ channel, status })),
      };
    },
  );
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
  const movements = options.inventoryDatabaseUrl ? await restockMovements(options.inventoryDatabaseUrl) : [];
  const returns = returnFacts(options.returns ?? [], facts, views, movements);
  const coupons = options.couponCodes?.length
    ? await couponFacts(endpoints.orders, admin, options.couponCodes)
    : [];
  await mapPool(returns, 8, async (given) => {
    if (given.returnId) given.workflow = await workflowView(endpoints.coordination, admin, given.returnId);
  });
  const replenishments = await replenishmentFacts(
    endpoints,
    admin,
    options.products.filter((product) => product.replenishment),
    movements,
  );
  return {
    orders: facts.map(({ notices: _notices, ...fact }) => fact),
    returns,
    replenishments,
    coupons,
    notAccepted,
    stock,
    paymentSource,
  };
}

/** The run's coupons as the order service holds them: their limit and the uses held now. */
async function couponFacts(ordersUrl: string, admin: string, codes: string[]): Promise<CouponFacts[]> {
  const all: CouponView[] = [];
  for (let cursor: string | null = null; ;) {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const { status, body } = await callSteadily<{
      coupons: CouponView[];
      pageInfo: { nextCursor: string | null };
    }>('GET', `${ordersUrl}/api/v1/coupons?limit=100${query}`, admin);
    if (status !== 200) throw new Error(`GET /coupons answered ${status}: ${JSON.stringify(body)}`);
    all.push(...body.coupons);
    cursor = body.pageInfo.nextCursor;
    if (!cursor) break;
  }
  return codes.map((code) => {
    const found = all.find((coupon) => coupon.code === code);
    return found
      ? { code, usageLimit: found.usageLimit, uses: found.uses }
      : { code, usageLimit: null, uses: null };
  });
}

interface Movement {
  reason: 'RETURN' | 'RESTOCK';
  reference: string;
  productId: string;
  quantity: number;
}

/** RETURN and RESTOCK adjustments from the inventory's movements (its audit trail; it has no API for them). */
async function restockMovements(databaseUrl: string): Promise<Movement[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{
      reason: 'RETURN' | 'RESTOCK';
      reference: string;
      product_id: string;
      on_hand_change: number;
    }>(
      `select reason, reference, product_id::text as product_id, on_hand_change from stock_movements
       where kind = 'ADJUSTED' and reason in ('RETURN', 'RESTOCK')`,
    );
    return rows.map((row) => ({
      reason: row.reason,
      reference: row.reference,
      productId: row.product_id,
      quantity: Number(row.on_hand_change),
    }));
  } finally {
    await client.end();
  }
}

/** What the price of returned lines is on the order: its unit price × quantity, line by line. */
function returnedMinor(view: OrderView, lines: { productId: string; quantity: number }[]): number {
  const left = view.items.map((item) => ({ ...item }));
  let sum = 0;
  for (const line of lines) {
    let wanted = line.quantity;
    for (const item of left) {
      if (item.productId !== line.productId || wanted === 0) continue;
      const taken = Math.min(wanted, item.quantity);
      item.quantity -= taken;
      wanted -= taken;
      sum += toMinor(item.unitPrice) * taken;
    }
  }
  return sum;
}

function returnFacts(
  planned: PlannedReturn[],
  facts: (OrderFacts & { notices: { channel: string; status: string }[] })[],
  views: OrderView[],
  movements: Movement[],
): ReturnFacts[] {
  const factById = new Map(facts.map((fact) => [fact.orderId, fact]));
  const viewById = new Map(views.map((view) => [view.orderId, view]));
  return planned
    .filter((given) => given.orderId !== null)
    .map((given) => {
      const fact = factById.get(given.orderId!);
      const view = viewById.get(given.orderId!);
      if (fact && given.received) fact.returned = given.full ? 'FULL' : 'PARTIAL';
      return {
        orderId: given.orderId!,
        returnId: given.returnId,
        full: given.full,
        lines: given.lines,
        // The lines' price, never more than was charged (a coupon's discount lowers the charge).
        expectedMinor: view ? Math.min(returnedMinor(view, given.lines), toMinor(view.chargedAmount)) : 0,
        parts: fact?.parts ?? null,
        received: given.received,
        lastError: given.lastError,
        orderStatus: fact?.status ?? 'unknown',
        refundsMinor: (view?.refunds ?? [])
          .filter((refund) => refund.reason === 'RETURN_RECEIVED')
          .map((refund) => toMinor(refund.amount)),
        payment: fact?.payment ?? null,
        restocks: movements
          .filter((movement) => movement.reason === 'RETURN' && movement.reference === given.returnId)
          .map(({ productId, quantity }) => ({ productId, quantity })),
        workflow: null,
        notices: fact?.notices ?? [],
      };
    });
}

/** Every replenishment of the replenished products, with its purchase orders, restocks and workflow. */
async function replenishmentFacts(
  endpoints: Endpoints,
  admin: string,
  products: Product[],
  movements: Movement[],
): Promise<ReplenishmentFacts[]> {
  type Listed = Omit<ReplenishmentFacts, 'purchaseOrders' | 'restocks' | 'workflow'>;
  const all: Listed[] = [];
  for (const product of products) {
    for (let offset = 0; ;) {
      const { status, body } = await callSteadily<{ items: Listed[]; total: number }>(
        'GET',
        `${endpoints.inventory}/api/v1/inventory/replenishments?productId=${product.productId}&limit=500&offset=${offset}`,
        admin,
      );
      if (status !== 200) throw new Error(`GET /inventory/replenishments answered ${status}`);
      all.push(...body.items);
      offset += body.items.length;
      if (body.items.length === 0 || offset >= body.total) break;
    }
  }
  return mapPool(all, 4, async (r): Promise<ReplenishmentFacts> => {
    let purchaseOrders: number | null = null;
    if (endpoints.supplier) {
      const listed = await callSteadily<{ purchaseOrders: unknown[] }>(
        'GET',
        `${endpoints.supplier}/v1/purchase-orders?reference=${encodeURIComponent(r.replenishmentId)}`,
        '',
      );
      if (listed.status === 200) purchaseOrders = listed.body.purchaseOrders.length;
    }
    return {
      replenishmentId: r.replenishmentId,
      productId: r.productId,
      warehouseId: r.warehouseId,
      status: r.status,
      quantity: r.quantity,
      purchaseOrderId: r.purchaseOrderId,
      failureReason: r.failureReason,
      purchaseOrders,
      restocks: r.purchaseOrderId
        ? movements
            .filter((movement) => movement.reason === 'RESTOCK' && movement.reference === r.purchaseOrderId)
            .map((movement) => movement.quantity)
        : [],
      workflow: await workflowView(endpoints.coordination, admin, r.replenishmentId),
    };
  });
}

/** A workflow's type and status (a return's or a replenishment's), or null when the coordination service has none. */
async function workflowView(
  coordinationUrl: string,
  admin: string,
  id: string,
): Promise<WorkflowView | null> {
  const { status, body } = await callSteadily<{ workflowType: string; status: string }>(
    'GET',
    `${coordinationUrl}/api/v1/workflows/${id}/status`,
    admin,
  );
  if (status === 404) return null;
  if (status !== 200) throw new Error(`GET /workflows/${id}/status answered ${status}`);
  return { type: body.workflowType, status: body.status };
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

async function notificationsOf(notificationsUrl: string, admin: string, orderId: string) {
  const { status, body } = await callSteadily<{
    content: { templateId: string; channel: string; status: string }[];
  }>('GET', `${notificationsUrl}/api/v1/notifications?orderId=${orderId}&size=100`, admin);
  if (status !== 200) throw new Error(`GET /notifications?orderId=${orderId} answered ${status}`);
  return body.content.map((note) => ({
    templateId: note.templateId,
    channel: note.channel,
    status: note.status,
  }));
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
  const count = (object: string) =>
    authorizations.reduce(
      (sum, found) => sum + found.operations.filter((operation) => operation.object === object).length,
      0,
    );
  return {
    authorizations: authorizations.length,
    captures: count('capture'),
    returned: authorizations.every((found) => ['VOIDED', 'REFUNDED'].includes(found.status)),
    capturedMinor: authorizations.reduce((sum, found) => sum + toMinor(found.capturedAmount ?? 0), 0),
    refundedMinor: authorizations.reduce((sum, found) => sum + toMinor(found.refundedAmount ?? 0), 0),
    refunds: count('refund'),
  };
}

function ordersPayment(view: OrderView): PaymentFacts | null {
  const payment = view.payment;
  if (!payment) return null;
  const parts = payment.parts?.length ?? 1;
  return {
    authorizations: payment.authorizedAt ? parts : 0,
    captures: payment.capturedAt ? parts : 0,
    returned: ['VOIDED', 'REFUNDED'].includes(payment.status),
    capturedMinor: payment.capturedAt ? toMinor(payment.amount) : 0,
    refundedMinor: toMinor(payment.refundedAmount ?? 0),
    refunds: null,
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
