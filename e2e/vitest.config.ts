import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One platform for the whole run: the scenarios here, the Newman collections (newman/suites) and the
    // browser tests (browser/scenarios) share it, each file with ids of its own. Chromium is installed
    // (Debian's package) first where it is missing.
    include: ['scenarios/**/*.test.ts', 'newman/suites/**/*.test.ts', 'browser/scenarios/**/*.test.ts'],
    globalSetup: ['./browser/src/chromium-setup.ts', './src/platform-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
