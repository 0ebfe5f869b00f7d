import { Api, type StorefrontConfig } from './api.js';
import { h, replace } from './dom.js';
import { cart, session } from './state.js';
import { cartView, catalogView, orderView, ordersView, type View } from './views.js';

/** Hash routes: #/ catalog, #/search?q=, #/cart, #/orders, #/orders/<id>. */
function route(hash: string): View {
  const [path, query] = hash.replace(/^#/, '').split('?');
  const parts = (path || '/').split('/').filter(Boolean);
  if (parts[0] === 'search') return catalogView(new URLSearchParams(query).get('q'));
  if (parts[0] === 'cart') return cartView;
  if (parts[0] === 'orders' && parts[1]) return orderView(decodeURIComponent(parts[1]));
  if (parts[0] === 'orders') return ordersView;
  return catalogView(null);
}

function renderHeader(): void {
  document.querySelector('[data-testid="cart-count"]')!.textContent = String(cart.count());
  const target = document.getElementById('session')!;
  const current = session.current();
  replace(
    target,
    ...(current
      ? [
          h('span', { 'data-testid': 'signed-in-as' }, current.email),
          ' ',
          h('button', { class: 'secondary', onclick: () => session.save(null) }, 'Sign out'),
        ]
      : [h('span', { class: 'muted' }, 'Not signed in')]),
  );
}

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  let config: StorefrontConfig | null = null;
  while (!config) {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (response.ok) config = await response.json();
    else {
      replace(root, h('p', { class: 'muted' }, 'The store is starting…'));
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  const api = new Api(config);
  let stop: (() => void) | void;
  const render = () => {
    stop?.();
    stop = route(location.hash)(root, api);
  };
  document.getElementById('search')!.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = String(new FormData(event.target as HTMLFormElement).get('q') ?? '').trim();
    location.hash = q ? `#/search?q=${encodeURIComponent(q)}` : '#/';
  });
  window.addEventListener('hashchange', render);
  window.addEventListener('cart-changed', renderHeader);
  window.addEventListener('session-changed', () => {
    renderHeader();
    render();
  });
  window.addEventListener('storage', renderHeader);
  renderHeader();
  render();
}

void start();
