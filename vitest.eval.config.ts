import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/eval/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 600_000,
  },
})
