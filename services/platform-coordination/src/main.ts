import { runService, type BaseConfig } from '@fv/service-kit';
import { createCoordinationRuntime } from './runtime.js';
import { SERVICE_NAME } from './service.js';

let runtime;
try {
  runtime = await createCoordinationRuntime();
} catch (error) {
  process.stderr.write(`${SERVICE_NAME}: ${(error as Error).message}\n`);
  process.exit(1);
}
await runtime.start();
await runService({
  app: runtime.app,
  config: runtime.context.config as BaseConfig,
  logger: runtime.context.logger,
  closeables: runtime.closeables,
});
