import type { EventHandler } from '@fv/messaging';
import type { CatalogContext } from '../catalog-context.js';
import { applyInventoryUpdate } from '../use-cases/apply-inventory-update.js';

export function onInventoryUpdated(ctx: CatalogContext): EventHandler<'InventoryUpdated'> {
  return (event, handler) => applyInventoryUpdate(ctx, event, handler);
}
