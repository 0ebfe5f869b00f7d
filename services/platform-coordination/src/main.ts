import { runServiceMain } from '@fv/service-runtime';
import { coordinationService } from './service.js';

await runServiceMain(coordinationService());
