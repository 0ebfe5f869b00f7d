import { createLogger } from '@fv/service-kit';
import { EventCodec, createKafka } from '../src/index.js';

/**
 * The broker client and codec a service's integration-test harness publishes and reads with
 * (`connect` of @fv/testing's ServiceHarness); the client logs fatal errors only.
 */
export function harnessConnections({
  clientId,
  brokers,
  registryUrl,
}: {
  clientId: string;
  brokers: string;
  registryUrl: string;
}) {
  return {
    kafka: createKafka({
      clientId,
      brokers,
      logger: createLogger({ service: clientId, version: 'test', level: 'fatal' }),
    }),
    codec: new EventCodec(registryUrl),
  };
}
