import { runServiceMain } from '@fv/service-runtime';
import { notificationsService } from './service.js';

await runServiceMain(notificationsService);
