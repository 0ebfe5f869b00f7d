import type { Product, Session } from './api.js';

/** What the page keeps in the browser: the cart and the signed-in customer. */

export interface CartLine {
  productId: string;
  sku: string;
  name: string;
  price: string;
  currency: string;
  quantity: number;
}

const CART = 'storefront.cart';
const SESSION = 'storefront.session';

function read<T>(key: string, fallback: T): T {
  try {
    const text = localStorage.getItem(key);
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

export const cart = {
  lines(): CartLine[] {
    return read<CartLine[]>(CART, []);
  },
  save(lines: CartLine[]): void {
    localStorage.setItem(CART, JSON.stringify(lines.filter((line) => line.quantity > 0)));
    window.dispatchEvent(new Event('cart-changed'));
  },
  add(product: Product): void {
    const lines = cart.lines();
    const line = lines.find((l) => l.productId === product.id);
    if (line) line.quantity += 1;
    else {
      lines.push({
        productId: product.id,
        sku: product.sku,
        name: product.name,
        price: product.price,
        currency: product.currency,
        quantity: 1,
      });
    }
    cart.save(lines);
  },
  setQuantity(productId: string, quantity: number): void {
    cart.save(cart.lines().map((line) => (line.productId === productId ? { ...line, quantity } : line)));
  },
  clear(): void {
    cart.save([]);
  },
  count(): number {
    return cart.lines().reduce((sum, line) => sum + line.quantity, 0);
  },
};

/** Cents, so totals add up exactly. */
export function cents(amount: string): number {
  const [whole, fraction = ''] = amount.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
}

export function money(amountCents: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amountCents / 100);
}

export const session = {
  current(): Session | null {
    const value = read<Session | null>(SESSION, null);
    return value && Date.parse(value.expiresAt) > Date.now() + 60_000 ? value : null;
  },
  save(value: Session | null): void {
    if (value) localStorage.setItem(SESSION, JSON.stringify(value));
    else localStorage.removeItem(SESSION);
    window.dispatchEvent(new Event('session-changed'));
  },
};
