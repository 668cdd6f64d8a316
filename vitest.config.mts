import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for a page or a server: its 1 s default is shorter than one list render
    // in Chromium on a busy 2-core CI machine.
    expect: { poll: { timeout: 10_000 } },
    reporters: ['default', './tests/helpers/summary-reporter.ts'],
  },
});
