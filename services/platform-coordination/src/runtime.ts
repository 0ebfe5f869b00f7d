import { createServiceRuntime, type ServiceRuntime } from '@fv/service-runtime';
import type { Environment, Logger } from '@fv/service-kit';
import type { CoordinationConfig } from './config.js';
import type { PrismaClient } from './generated/prisma/client.js';
import { coordinationService, type CoordinationComponents, type CoordinationOptions } from './service.js';

export interface CoordinationRuntime extends ServiceRuntime<PrismaClient, CoordinationConfig> {
  components: CoordinationComponents;
}

/** The service's runtime, with its components at hand (tests and benchmarks reach into them). */
export async function createCoordinationRuntime(
  options: CoordinationOptions & { env?: Environment; logger?: Logger } = {},
): Promise<CoordinationRuntime> {
  const definition = coordinationService(options);
  const runtime = await createServiceRuntime(definition, {
    ...(options.env ? { env: options.env } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return Object.assign(runtime, { components: definition.components(runtime.context) });
}
