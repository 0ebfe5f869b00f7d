import { runServiceMain } from '@fv/service-runtime';
import { deliveryService } from './service.js';

await runServiceMain(deliveryService);
