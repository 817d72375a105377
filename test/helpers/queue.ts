import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { randomUUID } from 'node:crypto'
import type { Item, Job, JobSpec } from '../../src/queue/types.js'
import type { EnhanceReply } from '../../src/shared/protocol.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'

/** Removes nothing: for runners whose tests never leave a partial file behind. */
export const noCleanup = { removeStalePartials: () => Promise.resolve(0) }

/**
 * A folder `in/` of placeholder photos (their text is "image <name>") below a fresh temporary folder, and
 * a job over it writing PNGs to `out/`, skipping existing outputs.
 */
export function albumJob(
  files: string[],
  prefix = 'enhance-queue-',
): { dir: string; spec: JobSpec; queue: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  mkdirSync(join(dir, 'in'), { recursive: true })
  for (const f of files) {
    mkdirSync(dirname(join(dir, 'in', f)), { recursive: true })
    writeFileSync(join(dir, 'in', f), `image ${f}`)
  }
  const spec: JobSpec = {
    inputs: [join(dir, 'in')],
    recursive: true,
    outDir: join(dir, 'out'),
    model: { path: 'model.safetensors' },
    settings: { ...DEFAULT_SETTINGS, format: 'png' },
    naming: '{name}',
    policy: 'skip',
  }
  return { dir, spec, queue: join(dir, 'queue') }
}

/** What a fake engine replies for a photo it "enhanced" to `output`. */
export function fakeReply(output: string, ms = 5): EnhanceReply {
  return { output, width: 1, height: 1, format: 'png', provider: 'cpu', precision: 'fp32', tile: 1, ms }
}

/** A job record of `spec`, queued, as the queue's journal keeps one. */
export function queuedJob(spec: JobSpec): Job {
  return { id: randomUUID(), spec, state: 'queued', createdAt: 0, order: 0, ignored: 0, busyMs: 0 }
}

/** A queued photo `IMG_<n>.jpg` of `job`'s first input, as the journal keeps one. */
export function queuedItem(job: Job, n: number): Item {
  return {
    id: randomUUID(),
    jobId: job.id,
    input: join(job.spec.inputs[0]!, `IMG_${n}.jpg`),
    output: join(job.spec.outDir, `IMG_${n}.png`),
    state: 'queued',
    crashes: 0,
  }
}
