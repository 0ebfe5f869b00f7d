import { unitAndIntegrationTestConfig } from './config/vitest-config.mjs';

export default unitAndIntegrationTestConfig({
  // This package's own global setup, by its path.
  globalSetup: ['./src/global-setup.ts'],
  // The services these suites start are their own, and so are the topics they run on (below whatever
  // prefix the run gives every package): no service's consumer ever reads their events.
  env: { KAFKA_TOPIC_PREFIX: `${process.env.KAFKA_TOPIC_PREFIX ?? ''}fv-testing.` },
});
