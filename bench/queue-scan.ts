/**
 * Queue scale: scans a generated tree of 20,000 empty image-named files into a job and prints the
 * time and memory it took. Figures only; nothing is asserted.
 *
 *   npm run bench:queue
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QueueRunner } from '../src/queue/runner.js'
import { QueueStore } from '../src/queue/store.js'
import { DEFAULT_SETTINGS } from '../src/shared/settings.js'

const FILES = 20_000
const PER_FOLDER = 200

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'enhance-scan-'))
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, 'album', `folder ${Math.floor(i / PER_FOLDER)}`)
    if (i % PER_FOLDER === 0) mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, `IMG_${String(i).padStart(5, '0')}.jpg`), '')
  }
  const engine = { enhance: () => Promise.reject(new Error('not used')) }
  const store = new QueueStore(join(root, 'queue'))
  const runner = new QueueRunner(store, engine, { removeStalePartials: () => Promise.resolve(0) })
  global.gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  const start = performance.now()
  const job = await runner.addJob({
    inputs: [join(root, 'album')],
    recursive: true,
    outDir: join(root, 'out'),
    model: { path: 'model.safetensors' },
    settings: DEFAULT_SETTINGS,
    naming: '{name}_x{scale}',
    policy: 'skip',
  })
  const ms = performance.now() - start
  const heapAfter = process.memoryUsage().heapUsed
  const reopenStart = performance.now()
  store.close()
  const reopened = new QueueStore(join(root, 'queue'))
  const reopenMs = performance.now() - reopenStart
  console.log(
    `scanned ${runner.items(job.id).length} files in ${FILES / PER_FOLDER} folders: ${ms.toFixed(0)} ms (${((FILES / ms) * 1000).toFixed(0)} files/s)`,
  )
  console.log(
    `heap growth ${((heapAfter - heapBefore) / 2 ** 20).toFixed(1)} MiB, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  )
  console.log(
    `reopening the queue from its journal: ${reopenMs.toFixed(0)} ms, ${reopened.state.items.size} items`,
  )
  reopened.close()
}

await main()
