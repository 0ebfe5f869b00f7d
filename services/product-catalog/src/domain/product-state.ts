export const PRODUCT_STATUSES = ['DRAFT', 'ACTIVE', 'DISCONTINUED'] as const;
export type ProductStatusValue = (typeof PRODUCT_STATUSES)[number];

export const STOCK_STATUSES = ['IN_STOCK', 'OUT_OF_STOCK'] as const;
export type StockStatusValue = (typeof STOCK_STATUSES)[number];

export type Attributes = Record<string, string>;

export interface VariantState {
  sku: string;
  name: string;
  attributes: Attributes;
}

/** The fields of a product an administrator edits; the SKU is fixed at creation. */
export interface ProductState {
  name: string;
  description: string | null;
  categoryId: string | null;
  price: string;
  currency: string;
  status: ProductStatusValue;
  attributes: Attributes;
  variants: VariantState[];
}

export type ProductField = keyof ProductState;
