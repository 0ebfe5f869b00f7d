import type { CoordinationComponents, CoordinationContext } from '../service.js';
import { OperationRunner } from '../operations/operation-runner.js';
import { OperationService } from '../operations/operation-service.js';
import { ConsoleService } from './console-service.js';
import { ConsoleStream } from './console-stream.js';

export interface ConsoleParts {
  service: ConsoleService;
  stream: ConsoleStream;
  operations: OperationService;
  runner: OperationRunner;
}

/** The saga console's parts, over the service's workflows and dead letters. */
export function consoleParts(
  context: CoordinationContext,
  parts: Omit<CoordinationComponents, 'console'>,
  clock?: () => Date,
): ConsoleParts {
  const stuckAfterMs = context.config.WORKFLOW_STUCK_AFTER;
  const transaction = context.transaction as CoordinationContext['transaction'];
  const service = new ConsoleService({
    prisma: context.prisma,
    workflows: parts.workflows,
    deadLetters: parts.deadLetters.service,
    stuckAfterMs,
    ...(clock ? { now: clock } : {}),
  });
  const runner = new OperationRunner({
    prisma: context.prisma,
    workflows: parts.workflows,
    deadLetters: parts.deadLetters.service,
    logger: context.logger.child({ component: 'batch-operations' }),
  });
  const operations = new OperationService({
    prisma: context.prisma,
    transaction,
    deadLetters: parts.deadLetters.service,
    stuckAfterMs,
    onCreated: (id) => runner.enqueue(id),
    ...(clock ? { now: clock } : {}),
  });
  return {
    service,
    stream: new ConsoleStream(service, {
      logger: context.logger.child({ component: 'console-stream' }),
      extras: async () => ({ operations: await operations.recent(8) }),
    }),
    operations,
    runner,
  };
}
