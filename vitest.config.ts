import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Compiles the renderer's rune stores (.svelte.ts) so their logic can be unit-tested.
  plugins: [svelte({ configFile: resolve(import.meta.dirname, 'svelte.config.js') })],
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'test/eval/**', 'node_modules/**'],
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    // Commands run in a test's own process keep their queue, models and measurements apart from the user's (and from
    // an enhance command running beside the suite, whose queue lock made one fail with QUEUE_BUSY).
    env: { ENHANCE_DATA_DIR: mkdtempSync(join(tmpdir(), 'enhance-test-data-')) },
    // A hang guard, not a speed limit: the slowest tests took 55–60 s on a slow 2-core VM sharing its CPU.
    testTimeout: 180_000,
  },
})
