/** Prefixes accepted on input (`prod-<uuid>`, `cat-<uuid>`); responses always carry the plain UUID. */
export const PRODUCT_ID_PREFIX = 'prod';
export const CATEGORY_ID_PREFIX = 'cat';
