import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['test/global-setup.ts', 'test/e2e/build-renderer.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
})
