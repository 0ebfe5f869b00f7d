import type { EventCodec } from '@fv/messaging';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { PrismaClient } from '../generated/prisma/client.js';
import { DeadLetterLedger } from './dead-letter-ledger.js';
import { DeadLetterService } from './dead-letter-service.js';
import { ReplayPublisher } from './replay-publisher.js';

/** The dead-letter tooling of the platform: the ledger consumer, the operator's service and its producer. */
export interface DeadLetters {
  ledger: DeadLetterLedger;
  service: DeadLetterService;
  publisher: ReplayPublisher;
}

export function createDeadLetters(deps: {
  kafka: Kafka;
  codec: EventCodec;
  prisma: PrismaClient;
  logger: Logger;
  /** The ledger's consumer group (a group of its own, e.g. `platform-coordination-dlq-ledger`). */
  groupId: string;
}): DeadLetters {
  const publisher = new ReplayPublisher(deps.kafka);
  return {
    ledger: new DeadLetterLedger({
      kafka: deps.kafka,
      codec: deps.codec,
      db: deps.prisma,
      logger: deps.logger.child({ component: 'dead-letter-ledger' }),
      groupId: deps.groupId,
    }),
    service: new DeadLetterService({
      prisma: deps.prisma,
      codec: deps.codec,
      publisher,
      logger: deps.logger.child({ component: 'dead-letters' }),
    }),
    publisher,
  };
}

/** The consumer group of the ledger of a coordination service named `serviceName`. */
export function ledgerGroupOf(serviceName: string): string {
  return `${serviceName}-dlq-ledger`;
}
