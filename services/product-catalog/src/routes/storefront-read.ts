import { catalogReadAccess, type KeyAccess } from '../access/catalog-read-access.js';

/**
 * Route options of a storefront read: a publishable key or any valid token, checked by the hook, not the
 * platform's token rule. Made once per plugin and spread into each of its storefront routes.
 */
export function storefrontRead(access: KeyAccess) {
  return {
    config: { public: true },
    onRequest: catalogReadAccess(access, 'catalog:read'),
  } as const;
}

export type StorefrontRead = ReturnType<typeof storefrontRead>;
