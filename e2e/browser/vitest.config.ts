import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Chromium is installed (Debian's package) once, before any test, where it is missing.
    globalSetup: ['./src/chromium-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
