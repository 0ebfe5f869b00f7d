import { runServiceMain } from '@fv/service-runtime';
import { inventoryService } from './service.js';

await runServiceMain(inventoryService);
