import { compareAmounts } from './money.js';
import type { Attributes, ProductField, ProductState, VariantState } from './product-state.js';

export type ProductPatch = Partial<ProductState>;

export interface ProductChange {
  next: ProductState;
  /** Fields whose value differs from before, in a stable order (as ProductUpdated reports them). */
  changedFields: ProductField[];
}

const FIELD_ORDER: ProductField[] = [
  'name',
  'description',
  'categoryId',
  'price',
  'currency',
  'status',
  'attributes',
  'variants',
];

function sameAttributes(a: Attributes, b: Attributes): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key])
  );
}

function sameVariants(a: VariantState[], b: VariantState[]): boolean {
  return (
    a.length === b.length &&
    a.every((variant, i) => {
      const other = b[i]!;
      return (
        variant.sku === other.sku &&
        variant.name === other.name &&
        sameAttributes(variant.attributes, other.attributes)
      );
    })
  );
}

function sameValue(field: ProductField, a: ProductState, b: ProductState): boolean {
  switch (field) {
    case 'price':
      return compareAmounts(a.price, b.price) === 0;
    case 'attributes':
      return sameAttributes(a.attributes, b.attributes);
    case 'variants':
      return sameVariants(a.variants, b.variants);
    default:
      return a[field] === b[field];
  }
}

/** Applies the fields a request sets (absent fields stay) and lists those that really changed. */
export function applyProductPatch(current: ProductState, patch: ProductPatch): ProductChange {
  const next: ProductState = { ...current };
  for (const field of FIELD_ORDER) {
    if (patch[field] !== undefined) (next as unknown as Record<string, unknown>)[field] = patch[field];
  }
  return { next, changedFields: FIELD_ORDER.filter((field) => !sameValue(field, current, next)) };
}

/** SKUs that appear more than once among a product's own SKU and its variants' SKUs. */
export function duplicateSkus(productSku: string, variants: readonly VariantState[]): string[] {
  const seen = new Set<string>([productSku]);
  const duplicates = new Set<string>();
  for (const variant of variants) {
    if (seen.has(variant.sku)) duplicates.add(variant.sku);
    seen.add(variant.sku);
  }
  return [...duplicates];
}
