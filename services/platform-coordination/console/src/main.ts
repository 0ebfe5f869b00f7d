import { api, ApiError, setToken, token } from './api.js';
import { analyticsView } from './analytics-view.js';
import { operationView } from './bulk-view.js';
import { h } from './dom.js';
import { filterOf, ListPage, type Filter } from './list-view.js';
import { OrderPage } from './order-view.js';
import { follow, type FeedEvent } from './stream.js';
import type { OrderDocument, WorkflowList } from './types.js';

const app = document.getElementById('app')!;
const session = document.getElementById('session')!;
const live = document.getElementById('live')!;
let feed: AbortController | null = null;

function loginView(problem?: string): HTMLElement {
  const field = h('textarea', {
    name: 'token',
    rows: 4,
    required: true,
    'data-testid': 'token',
    placeholder: 'eyJhbGciOi…',
    autocomplete: 'off',
  });
  const form = h(
    'form',
    { class: 'login', 'data-testid': 'login' },
    h('h2', {}, 'Sign in'),
    h(
      'p',
      {},
      'Paste a bearer token with the admin role, signed with the platform’s JWT secret. Locally: ',
      h('code', {}, 'npm run dev-token -- --roles admin --sub <your-name>'),
      '.',
    ),
    field,
    problem ? h('p', { class: 'error', 'data-testid': 'login-error' }, problem) : null,
    h('button', { type: 'submit', 'data-testid': 'sign-in' }, 'Sign in'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    setToken(field.value.trim());
    await route();
  });
  return form;
}

function signOut(): void {
  setToken(null);
  void route();
}

/** Checks the stored token; shows the sign-in form when there is none or it is refused. */
async function signedIn(): Promise<boolean> {
  if (!token()) {
    session.replaceChildren();
    app.replaceChildren(loginView());
    return false;
  }
  try {
    const who = await api<{ sub: string; expiresAt: string }>('GET', '/console/session');
    session.replaceChildren(
      h('span', { 'data-testid': 'signed-in-as' }, who.sub),
      ' ',
      h('button', { type: 'button', onclick: signOut }, 'Sign out'),
    );
    return true;
  } catch (error) {
    setToken(null);
    session.replaceChildren();
    const message = error instanceof ApiError ? error.message : String(error);
    app.replaceChildren(loginView(message));
    return false;
  }
}

/** Follows the live feed at `path` (under /api/v1); each event goes to `onEvent`. */
function startFeed(path: string, onEvent: (event: FeedEvent) => void): AbortSignal {
  feed?.abort();
  feed = new AbortController();
  void follow({
    url: `/api/v1${path}`,
    token,
    signal: feed.signal,
    onConnection: (connected) => {
      live.textContent = connected ? '● live' : '○ reconnecting';
      live.className = connected ? 'live on' : 'live off';
    },
    onEvent,
  }).catch((error: unknown) => {
    live.textContent = '○ offline';
    showError(error);
  });
  return feed.signal;
}

function showError(error: unknown): void {
  app.replaceChildren(
    h(
      'p',
      { class: 'error', 'data-testid': 'page-error' },
      error instanceof ApiError ? `${error.code}: ${error.message}` : String(error),
    ),
    h('p', {}, h('a', { href: '#/' }, '← Workflows')),
  );
}

/** Runs `work` at most once at a time; a call while it runs makes it run once more after. */
function coalesce(work: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await work();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) signOut();
      else showError(error);
    } finally {
      running = false;
      if (again) {
        again = false;
        void run();
      }
    }
  };
  return () => void run();
}

function hashOf(filter: Filter): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filter)) {
    if (value === undefined || value === '' || value === false || value === 0) continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return `#/${text ? `?${text}` : ''}`;
}

async function route(): Promise<void> {
  feed?.abort();
  if (!(await signedIn())) return;
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = hash.split('?');
  const order = /^\/orders\/([^/]+)$/.exec(path!);
  const operation = /^\/operations\/([^/]+)$/.exec(path!);
  try {
    if (order) {
      const page = new OrderPage();
      app.replaceChildren(page.element);
      const id = encodeURIComponent(order[1]!);
      page.render(await api<OrderDocument>('GET', `/console/orders/${id}`));
      startFeed(`/console/stream?workflowId=${id}`, (event) => {
        if (event.event === 'order') page.render(event.data as OrderDocument);
      });
    } else if (path === '/analytics') {
      app.replaceChildren(await analyticsView());
    } else if (operation) {
      const refresh = coalesce(async () => app.replaceChildren(await operationView(operation[1]!)));
      refresh();
      // Any change may be this operation's progress: its page is read again (at most every 2 s).
      startFeed('/console/stream?size=1', () => refresh());
    } else {
      const page = new ListPage({
        filter: filterOf(new URLSearchParams(search)),
        go: (filter) => (location.hash = hashOf(filter)),
        open: (orderId) => (location.hash = `#/orders/${orderId}`),
      });
      app.replaceChildren(page.element);
      const signal = startFeed(`/console/stream${page.streamQuery}`, (event) => {
        if (event.event === 'list') page.render(event.data as WorkflowList);
      });
      void page.loadMetrics();
      const metrics = setInterval(() => void page.loadMetrics(), 60_000);
      signal.addEventListener('abort', () => clearInterval(metrics));
    }
  } catch (error) {
    showError(error);
  }
}

window.addEventListener('hashchange', () => void route());
void route();
