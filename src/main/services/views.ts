import { leftOutText } from '../../shared/formats.js'
import { jobReport } from '../../queue/report.js'
import { itemRealism, jobRealism } from '../../queue/types.js'
import type { Item, Job } from '../../queue/types.js'
import type { ItemView, JobView } from '../../shared/api.js'

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
