import { leftOutText } from '../../shared/formats.js'
import { countStates, timeLeft } from '../../queue/report.js'
import {
  skippedAsAsked,
  itemFacing,
  itemRealism,
  itemRepairs,
  itemTaken,
  itemCaption,
  jobChosen,
  jobModel,
} from '../../queue/types.js'
import { repairsOf } from '../../shared/settings.js'
import { facingOf } from '../../shared/turn.js'
import { hasFolder } from '../../queue/watch.js'
import type { Item, Job } from '../../queue/types.js'
import type { ItemView, JobView } from '../../shared/api.js'

/** Whether each job of an older queue, whose scan did not record it, is made of a folder: looked at once. */
const watchable = new Map<string, boolean>()

/**
 * A job of folders, which can be watched for new photos: as its scan found, so that listing the queue never waits
 * on a drive (a NAS out of reach held the window's first list, and the whole app, until its system gave up).
 */
export function isWatchable(job: Job): boolean {
  // A job still finding its photos is told by its scan (soon).
  if (job.ofFolders !== undefined || job.state === 'scanning') return job.ofFolders ?? false
  let folders = watchable.get(job.id)
  if (folders === undefined) {
    folders = hasFolder(job.spec.inputs)
    watchable.set(job.id, folders)
  }
  return folders
}

/**
 * A job as the window is told of it; `estimates`: the engine's for its photos (by input), which its time left goes by
 * (`timeLeft`) where each photo still to enhance has one; `models`: its models in words (`ModelLibrary.wordsOf`).
 */
export function jobView(
  job: Job,
  items: Item[],
  estimates?: ReadonlyMap<string, number>,
  models?: string,
): JobView {
  const left = timeLeft(items, estimates)
  const leftOut = leftOutText(job.leftOut)
  const model = jobModel(job)
  return {
    id: job.id,
    state: job.state,
    ...(job.pauseReason ? { pauseReason: job.pauseReason } : {}),
    inputs: job.spec.inputs,
    outDir: job.spec.outDir,
    ...jobChosen(job, items),
    size: job.spec.settings.size,
    ...(models ? { models } : {}),
    pair: { path: model.path, partner: model.blend?.path ?? null },
    total: items.length,
    counts: countStates(items),
    etaMs: left?.ms ?? null,
    inFlightMs: left?.inFlightMs ?? null,
    ...(left && !left.paced ? { etaEstimated: true as const } : {}),
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
    repairs: job ? itemRepairs(job, item) : repairsOf({}),
    kept: item.kept ?? [],
    facing: job ? itemFacing(job, item) : facingOf(item.turn, item.mirrored),
    taken: job ? itemTaken(job, item) : (item.taken ?? null),
    caption: job ? itemCaption(job, item) : (item.caption ?? null),
    ...(item.error ? { error: item.error } : {}),
    ...(skippedAsAsked(item) ? { skippedAsAsked: true as const } : {}),
    ...(item.provider ? { provider: item.provider } : {}),
    ...(item.note ? { note: item.note } : {}),
  }
}
