import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real local servers and shell out to `sls`: give them room.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Two cores: run files two at a time, each in its own process (the SES store is per process).
    pool: 'forks',
    maxWorkers: 2,
  },
});
