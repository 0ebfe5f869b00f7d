import type { ServiceContext } from '@fv/service-runtime';
import type { NotificationsConfig } from '../config.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { NotificationsDeps } from '../use-cases/deps.js';

export type RouteContext = ServiceContext<PrismaClient, NotificationsConfig> & { deps: NotificationsDeps };
