import type { ServiceContext } from '@fv/service-runtime';
import type { DeliveryConfig } from '../config.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { DeliveryDeps } from '../use-cases/deps.js';

/** What route plugins get: the runtime's context and the use cases' dependencies. */
export type RouteContext = ServiceContext<PrismaClient, DeliveryConfig> & { deps: DeliveryDeps };
