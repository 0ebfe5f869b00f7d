import { Api, ApiError, signIn, type Order, type Product } from './api.js';
import { h, replace } from './dom.js';
import { followOrder, type StreamEvent } from './order-stream.js';
import { cart, cents, money, session } from './state.js';

/** Each view renders into `root` and may return a function that stops what it started. */
export type View = (root: HTMLElement, api: Api) => (() => void) | void;

const FAILURES: Record<string, string> = {
  INSUFFICIENT_STOCK: 'Not enough stock: an item of this order sold out.',
  PAYMENT_DECLINED: 'Your card was declined.',
  INSUFFICIENT_FUNDS: 'Your card has insufficient funds.',
  CARD_EXPIRED: 'Your card has expired.',
};

export function describeFailure(
  failure: { code: string; message?: string | null } | null | undefined,
): string {
  if (!failure) return '';
  return FAILURES[failure.code] ?? failure.message ?? failure.code;
}

function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.reason === 'UNKNOWN_PRODUCT')
      return 'A product in your cart is not for sale yet. Try again shortly.';
    if (error.reason === 'PRICE_MISMATCH') return 'A price changed since you added it: refresh the catalog.';
    return `${error.message} (${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}

function productCard(product: Product): HTMLElement {
  const inStock = product.stockStatus === 'IN_STOCK';
  return h(
    'article',
    { class: 'card', 'data-testid': 'product', 'data-sku': product.sku },
    h('strong', { 'data-testid': 'product-name' }, product.name),
    h('span', { class: 'muted' }, product.sku),
    h('span', { class: 'price' }, money(cents(product.price), product.currency)),
    h(
      'span',
      { class: `badge ${inStock ? 'in' : 'out'}`, 'data-testid': 'stock' },
      inStock ? `In stock (${product.availableQuantity})` : 'Out of stock',
    ),
    h(
      'button',
      {
        'data-testid': 'add-to-cart',
        disabled: !inStock,
        onclick: (event) => {
          cart.add(product);
          (event.target as HTMLButtonElement).textContent = 'Added ✓';
        },
      },
      'Add to cart',
    ),
  );
}

export function catalogView(query: string | null): View {
  return (root, api) => {
    replace(
      root,
      h('h1', {}, query ? `Results for “${query}”` : 'Catalog'),
      h('p', { class: 'muted' }, 'Loading…'),
    );
    const load = query ? api.search(query) : api.products();
    load.then(
      (page) =>
        replace(
          root,
          h('h1', {}, query ? `Results for “${query}”` : 'Catalog'),
          page.items.length === 0
            ? h('p', { 'data-testid': 'no-products' }, query ? 'Nothing matches.' : 'The catalog is empty.')
            : h('div', { class: 'grid' }, page.items.map(productCard)),
        ),
      (error) => replace(root, h('p', { class: 'error' }, `The catalog is unavailable: ${errorText(error)}`)),
    );
  };
}

export const cartView: View = (root, api) => {
  const lines = cart.lines();
  if (lines.length === 0) {
    replace(root, h('h1', {}, 'Cart'), h('p', { 'data-testid': 'cart-empty' }, 'Your cart is empty.'));
    return;
  }
  const currency = lines[0]!.currency;
  const total = lines.reduce((sum, line) => sum + cents(line.price) * line.quantity, 0);
  const signedIn = session.current();
  const error = h('p', { class: 'error', 'data-testid': 'checkout-error', role: 'alert' });
  // One key per checkout of this cart: a double click or a retry after a lost answer places one order.
  let idempotencyKey = crypto.randomUUID();

  const field = (label: string, name: string, value = '', type = 'text', wide = false) =>
    h('label', wide ? { class: 'wide' } : {}, label, h('input', { name, value, type, required: true }));
  const form = h(
    'form',
    { class: 'checkout', 'data-testid': 'checkout' },
    field('E-mail', 'email', signedIn?.email ?? '', 'email', true),
    field('Full name', 'name'),
    field('Street', 'street'),
    field('City', 'city'),
    field('Postcode', 'zipCode'),
    field('Country (ISO code)', 'country', 'US'),
    h(
      'label',
      {},
      'Card (payment simulator)',
      h(
        'select',
        { name: 'card', 'data-testid': 'card' },
        api.config.cards.map((card) => h('option', { value: card.token }, card.label)),
      ),
    ),
    h(
      'div',
      { class: 'wide' },
      h(
        'button',
        { type: 'submit', 'data-testid': 'place-order' },
        `Place order · ${money(total, currency)}`,
      ),
    ),
    h('div', { class: 'wide' }, error),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const value = (name: string) => String(data.get(name) ?? '').trim();
    const button = form.querySelector('button')!;
    button.disabled = true;
    error.textContent = '';
    try {
      let current = session.current();
      if (!current || current.email !== value('email').toLowerCase()) {
        current = await signIn(value('email'));
        session.save(current);
      }
      const order = await api.placeOrder(
        current,
        {
          customerEmail: current.email,
          currency,
          items: cart
            .lines()
            .map((line) => ({ productId: line.productId, quantity: line.quantity, unitPrice: line.price })),
          cardToken: value('card'),
          shippingAddress: {
            name: value('name'),
            street: value('street'),
            city: value('city'),
            zipCode: value('zipCode'),
            country: value('country').toUpperCase(),
          },
        },
        idempotencyKey,
      );
      cart.clear();
      location.hash = `#/orders/${order.orderId}`;
    } catch (failure) {
      error.textContent = errorText(failure);
      // A refusal placed nothing: the corrected checkout is a new request. After a lost answer the
      // same key is sent again, so the order is placed at most once.
      if (failure instanceof ApiError && failure.status < 500) idempotencyKey = crypto.randomUUID();
      button.disabled = false;
    }
  });

  replace(
    root,
    h('h1', {}, 'Cart'),
    h(
      'table',
      {},
      h('tr', {}, h('th', {}, 'Product'), h('th', {}, 'Quantity'), h('th', {}, 'Price'), h('th', {}, '')),
      lines.map((line) =>
        h(
          'tr',
          { 'data-testid': 'cart-line', 'data-sku': line.sku },
          h('td', {}, line.name),
          h(
            'td',
            {},
            h('input', {
              type: 'number',
              min: '1',
              max: '99',
              value: String(line.quantity),
              'aria-label': `Quantity of ${line.name}`,
              'data-testid': 'quantity',
              onchange: (event) => {
                const quantity = Math.max(
                  1,
                  Math.min(99, Number((event.target as HTMLInputElement).value) || 1),
                );
                cart.setQuantity(line.productId, quantity);
                cartView(root, api);
              },
            }),
          ),
          h('td', {}, money(cents(line.price) * line.quantity, line.currency)),
          h(
            'td',
            {},
            h(
              'button',
              {
                class: 'secondary',
                onclick: () => {
                  cart.setQuantity(line.productId, 0);
                  cartView(root, api);
                },
              },
              'Remove',
            ),
          ),
        ),
      ),
    ),
    h('p', {}, 'Total: ', h('strong', { 'data-testid': 'cart-total' }, money(total, currency))),
    form,
  );
};

/** The saga as the customer sees it, in the order it happens. */
const STEPS = [
  { key: 'PLACED', label: 'Order placed' },
  { key: 'INVENTORY_RESERVED', label: 'Items reserved' },
  { key: 'PAYMENT_AUTHORIZED', label: 'Payment authorized' },
  { key: 'SHIPPING_LABEL_CREATED', label: 'Shipping label created' },
  { key: 'PAYMENT_CAPTURED', label: 'Paid and shipped' },
];
const FAILED_STEPS: Record<string, string> = {
  INVENTORY_RESERVATION_FAILED: 'INVENTORY_RESERVED',
  PAYMENT_FAILED: 'PAYMENT_AUTHORIZED',
  SHIPPING_LABEL_FAILED: 'SHIPPING_LABEL_CREATED',
  PAYMENT_CAPTURE_FAILED: 'PAYMENT_CAPTURED',
};
const FINAL_TEXT: Record<string, string> = {
  COMPLETED: 'Your order is on its way.',
  CANCELLED: 'This order was cancelled.',
  FAILED: 'This order could not be completed; any payment taken is returned.',
  REFUNDED: 'This order was refunded.',
  PARTIALLY_REFUNDED: 'Part of this order was refunded.',
};

export function orderView(orderId: string): View {
  return (root, api) => {
    const current = session.current();
    if (!current) {
      replace(
        root,
        h('h1', {}, 'Order'),
        signInForm(() => orderView(orderId)(root, api)),
      );
      return;
    }
    const status = h('strong', { 'data-testid': 'order-status' }, '…');
    const notice = h('p', { class: 'notice', 'data-testid': 'order-notice' }, 'Following your order live…');
    const connection = h('p', { class: 'muted', 'data-testid': 'connection' });
    const items = h('div');
    const stepItems = new Map(
      STEPS.map((step) => [step.key, h('li', { 'data-step': step.key }, step.label)]),
    );
    const log = h('ol', { class: 'muted', 'data-testid': 'event-log' });
    replace(
      root,
      h('h1', {}, 'Order ', h('code', { 'data-testid': 'order-id' }, orderId)),
      h('p', {}, 'Status: ', status),
      notice,
      h('ol', { class: 'progress', 'data-testid': 'progress' }, [...stepItems.values()]),
      items,
      connection,
      h('details', {}, h('summary', {}, 'Events'), log),
    );

    const showOrder = (order: Order) =>
      replace(
        items,
        h(
          'table',
          {},
          order.items.map((line) =>
            h(
              'tr',
              {},
              h('td', {}, line.name ?? line.sku ?? line.productId),
              h('td', {}, `× ${line.quantity}`),
              h('td', {}, money(cents(line.lineTotal), order.currency)),
            ),
          ),
        ),
        h(
          'p',
          {},
          'Total: ',
          h('strong', { 'data-testid': 'order-total' }, money(cents(order.totalAmount), order.currency)),
        ),
      );
    api.order(current, orderId).then(showOrder, (error) => {
      notice.textContent = errorText(error);
      notice.className = 'notice failed';
    });

    const onEvent = (event: StreamEvent) => {
      const data = event.data;
      log.append(h('li', {}, `${event.event}: ${String(data.step ?? data.status)}`));
      if (event.event === 'step') {
        const step = String(data.step);
        if (FAILED_STEPS[step]) {
          stepItems.get(FAILED_STEPS[step])!.className = 'failed';
        } else {
          stepItems.get(step)?.classList.add('done');
        }
      } else if (event.event === 'status') {
        status.textContent = String(data.status);
        stepItems.get('PLACED')!.classList.add('done');
        const failure = data.failure as { code: string; message: string | null } | undefined;
        if (failure) {
          notice.className = 'notice failed';
          notice.textContent = describeFailure(failure);
          notice.dataset.code = failure.code;
        } else if (FINAL_TEXT[String(data.status)] && !notice.dataset.code) {
          notice.className = `notice ${String(data.status).toLowerCase()}`;
          notice.textContent = FINAL_TEXT[String(data.status)]!;
        }
      } else if (event.event === 'end') {
        connection.textContent = 'Live updates ended.';
        connection.dataset.state = 'ended';
        api.order(current, orderId).then(showOrder, () => {});
      }
    };
    const abort = new AbortController();
    followOrder({
      url: `${api.config.ordersApi}/orders/${encodeURIComponent(orderId)}/events`,
      token: () => session.current()?.token ?? null,
      onEvent,
      onConnection: (connected) => {
        connection.textContent = connected ? 'Live' : 'Reconnecting…';
      },
      signal: abort.signal,
    }).catch((error) => {
      connection.textContent = `Live updates unavailable: ${errorText(error)}`;
    });
    return () => abort.abort();
  };
}

export const ordersView: View = (root, api) => {
  const current = session.current();
  if (!current) {
    replace(
      root,
      h('h1', {}, 'Your orders'),
      signInForm(() => ordersView(root, api)),
    );
    return;
  }
  replace(root, h('h1', {}, 'Your orders'), h('p', { class: 'muted' }, 'Loading…'));
  api.orders(current).then(
    ({ orders }) =>
      replace(
        root,
        h('h1', {}, 'Your orders'),
        orders.length === 0
          ? h('p', { 'data-testid': 'no-orders' }, 'No orders yet.')
          : h(
              'table',
              { 'data-testid': 'orders' },
              h(
                'tr',
                {},
                h('th', {}, 'Placed'),
                h('th', {}, 'Order'),
                h('th', {}, 'Status'),
                h('th', {}, 'Total'),
              ),
              orders.map((order) =>
                h(
                  'tr',
                  { 'data-testid': 'order-row', 'data-order-id': order.orderId },
                  h('td', {}, new Date(order.createdAt).toLocaleString()),
                  h('td', {}, h('a', { href: `#/orders/${order.orderId}` }, order.orderId.slice(0, 8))),
                  h(
                    'td',
                    { 'data-testid': 'order-row-status' },
                    order.status,
                    order.failure ? ` — ${describeFailure(order.failure)}` : '',
                  ),
                  h('td', {}, money(cents(order.totalAmount), order.currency)),
                ),
              ),
            ),
      ),
    (error) => replace(root, h('p', { class: 'error' }, errorText(error))),
  );
};

function signInForm(then: () => void): HTMLElement {
  const error = h('p', { class: 'error' });
  const form = h(
    'form',
    { 'data-testid': 'sign-in' },
    h('label', {}, 'E-mail ', h('input', { name: 'email', type: 'email', required: true })),
    ' ',
    h('button', { type: 'submit' }, 'Sign in'),
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    signIn(String(new FormData(form).get('email') ?? '')).then(
      (value) => {
        session.save(value);
        then();
      },
      (failure) => (error.textContent = errorText(failure)),
    );
  });
  return form;
}
