import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The provider needs PostgreSQL only (no broker): each suite gets a fresh database.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
