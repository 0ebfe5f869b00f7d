import { runServiceMain } from '@fv/service-runtime';
import { productCatalogService } from './service.js';

await runServiceMain(productCatalogService);
