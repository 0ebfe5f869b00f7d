import { harnessConnections } from '@fv/messaging/testing';
import type { Logger } from '@fv/service-kit';
import {
  createServiceRuntime,
  type PrismaLike,
  type RuntimeConfig,
  type ServiceDefinition,
} from '../src/index.js';

/**
 * How a service's integration-test harness (@fv/testing's ServiceHarness) reaches the test stack and
 * creates the service's runtime from its settings: `startService({ ...runtimeHarness(definition), … })`.
 */
export function runtimeHarness<P extends PrismaLike, C extends RuntimeConfig>(
  definition: ServiceDefinition<P, C>,
  options: { logger?: Logger } = {},
) {
  return {
    connect: harnessConnections,
    create: (env: Record<string, string>) => createServiceRuntime(definition, { env, ...options }),
  };
}
