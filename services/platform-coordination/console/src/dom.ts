/** Builds elements from data without ever parsing it as HTML. */
export type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | ((event: Event) => void) | undefined>;

function apply(element: Element, attributes: Attributes, children: (Child | Child[])[]): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== undefined) element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  apply(element, attributes, children);
  return element;
}

const SVG = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Child | Child[])[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  apply(element, attributes, children);
  return element;
}

/** A date as the operator reads it (local time, seconds). */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { hour12: false });
}

/** A status as a coloured badge (the colour comes from its class). */
export function badge(status: string | null | undefined, testId?: string): HTMLElement {
  const text = status ?? '—';
  return h(
    'span',
    { class: `badge ${text.toLowerCase().replace(/[^a-z]+/g, '-')}`, 'data-testid': testId },
    text,
  );
}

/** Replaces an element's children, leaving out the empty ones. */
export function fill(target: Element, ...children: (Child | Child[])[]): void {
  target.replaceChildren();
  apply(target, {}, children);
}
