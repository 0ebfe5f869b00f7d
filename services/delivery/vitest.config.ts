import { sharedStackTestConfig } from '@fv/testing/vitest-config';

export default sharedStackTestConfig();
