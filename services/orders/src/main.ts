import { runServiceMain } from '@fv/service-runtime';
import { ordersService } from './service.js';

await runServiceMain(ordersService);
