import { statSync } from 'node:fs'
import { leftOutText } from '../../shared/formats.js'
import { jobReport } from '../../queue/report.js'
import { itemRealism, jobRealism } from '../../queue/types.js'
import type { Item, Job } from '../../queue/types.js'
import type { ItemView, JobView } from '../../shared/api.js'

/** Whether each input named is a folder, looked at once per path: a job's view is made at each of its changes. */
const folders = new Map<string, boolean>()
function isFolderOnce(path: string): boolean {
  let folder = folders.get(path)
  if (folder === undefined) {
    folder = statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false
    folders.set(path, folder)
  }
  return folder
}

/** A job of folders, which can be watched for new photos. */
export const isWatchable = (job: Job): boolean => job.spec.inputs.some(isFolderOnce)

export function jobView(job: Job, items: Item[]): JobView {
  const report = jobReport(job, items)
  const leftOut = leftOutText(job.leftOut)
  return {
    id: job.id,
    state: job.state,
    ...(job.pauseReason ? { pauseReason: job.pauseReason } : {}),
    inputs: job.spec.inputs,
    outDir: job.spec.outDir,
    realism: jobRealism(job),
    total: report.total,
    counts: report.counts,
    etaMs: report.etaMs,
    ...(leftOut ? { leftOut } : {}),
    watchable: isWatchable(job),
    watching: job.watching ?? false,
  }
}

export function itemView(item: Item, job: Job | undefined): ItemView {
  return {
    id: item.id,
    jobId: item.jobId,
    input: item.input,
    output: item.output,
    state: item.state,
    realism: job ? itemRealism(job, item) : null,
    ...(item.error ? { error: item.error } : {}),
    ...(item.provider ? { provider: item.provider } : {}),
    ...(item.note ? { note: item.note } : {}),
  }
}
