import { invalidFields, parseId, type FieldIssue } from '@fv/service-kit';
import { CATEGORY_ID_PREFIX } from './ids.js';
import { parseAmount, parseCurrency } from './money.js';
import { duplicateSkus, type ProductPatch } from './product-changes.js';
import type { Attributes, ProductState, ProductStatusValue, VariantState } from './product-state.js';

export interface VariantBody {
  sku: string;
  name: string;
  attributes?: Attributes;
}

/** `POST /products` once its schema has validated it. */
export interface CreateProductBody {
  sku: string;
  name: string;
  description?: string | null;
  categoryId?: string | null;
  price: string | number;
  currency: string;
  status?: ProductStatusValue;
  attributes?: Attributes;
  variants?: VariantBody[];
}

/** `PUT /products/{id}`: the fields to change; `version`, when sent, must be the one the caller has seen. */
export interface UpdateProductBody extends Partial<CreateProductBody> {
  version?: number;
}

class Issues {
  readonly list: FieldIssue[] = [];
  add(field: string, rule: string, message: string): void {
    this.list.push({ field, rule, message });
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw invalidFields(this.list);
  }
}

function text(value: string, field: string, issues: Issues): string {
  const trimmed = value.trim();
  if (!trimmed) issues.add(field, 'minLength', 'must not be blank');
  return trimmed;
}

function optionalText(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed ? trimmed : null;
}

function price(value: string | number, issues: Issues): string {
  const parsed = parseAmount(value);
  if (parsed.ok) return parsed.value;
  issues.add('body.price', parsed.rule, parsed.message);
  return '0.00';
}

function currency(value: string, supported: readonly string[], issues: Issues): string {
  const parsed = parseCurrency(value, supported);
  if (parsed.ok) return parsed.value;
  issues.add('body.currency', parsed.rule, parsed.message);
  return value;
}

function categoryId(value: string | null | undefined, issues: Issues): string | null | undefined {
  if (value === undefined || value === null) return value;
  const id = parseId(value, CATEGORY_ID_PREFIX);
  if (id === null) issues.add('body.categoryId', 'format', 'must be a category id (UUID)');
  return id;
}

function variants(list: VariantBody[], productSku: string | null, issues: Issues): VariantState[] {
  const parsed = list.map((variant, i) => ({
    sku: variant.sku,
    name: text(variant.name, `body.variants[${i}].name`, issues),
    attributes: variant.attributes ?? {},
  }));
  const duplicates = new Set(duplicateSkus(productSku ?? '', parsed));
  parsed.forEach((variant, i) => {
    if (duplicates.has(variant.sku)) {
      issues.add(
        `body.variants[${i}].sku`,
        'uniqueItems',
        `${variant.sku} is used more than once by this product`,
      );
      duplicates.delete(variant.sku);
    }
  });
  return parsed;
}

/** The new product a create request describes; throws INVALID_REQUEST naming every offending field. */
export function parseCreateProduct(
  body: CreateProductBody,
  currencies: readonly string[],
): { sku: string; state: ProductState } {
  const issues = new Issues();
  const state: ProductState = {
    name: text(body.name, 'body.name', issues),
    description: optionalText(body.description) ?? null,
    categoryId: categoryId(body.categoryId, issues) ?? null,
    price: price(body.price, issues),
    currency: currency(body.currency, currencies, issues),
    status: body.status ?? 'ACTIVE',
    attributes: body.attributes ?? {},
    variants: variants(body.variants ?? [], body.sku, issues),
  };
  issues.throwIfAny();
  return { sku: body.sku, state };
}

/** The changes an update request asks for; the SKU cannot change. */
export function parseUpdateProduct(
  body: UpdateProductBody,
  current: { sku: string },
  currencies: readonly string[],
): { patch: ProductPatch; expectedVersion: number | null } {
  const issues = new Issues();
  if (body.sku !== undefined && body.sku !== current.sku) {
    issues.add('body.sku', 'immutable', `cannot be changed (the product's SKU is ${current.sku})`);
  }
  const patch: ProductPatch = {};
  if (body.name !== undefined) patch.name = text(body.name, 'body.name', issues);
  if (body.description !== undefined) patch.description = optionalText(body.description) ?? null;
  if (body.categoryId !== undefined) patch.categoryId = categoryId(body.categoryId, issues) ?? null;
  if (body.price !== undefined) patch.price = price(body.price, issues);
  if (body.currency !== undefined) patch.currency = currency(body.currency, currencies, issues);
  if (body.status !== undefined) patch.status = body.status;
  if (body.attributes !== undefined) patch.attributes = body.attributes;
  if (body.variants !== undefined) patch.variants = variants(body.variants, current.sku, issues);
  issues.throwIfAny();
  return { patch, expectedVersion: body.version ?? null };
}
