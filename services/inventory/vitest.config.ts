import { unitAndIntegrationTestConfig } from '@fv/testing/vitest-config';

export default unitAndIntegrationTestConfig();
