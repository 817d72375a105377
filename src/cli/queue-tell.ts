import type { ChoiceTarget, PhotoChoice } from '../shared/api.js'
import type { QueueRunner } from '../queue/runner.js'
import type { Item, Job } from '../queue/types.js'
import { folderOf, photoCount } from '../shared/job-title.js'
import { folderNamed, nameInJob, namesFolder, photoNamed } from './queue-named.js'
import { invalid } from './args.js'

/** What telling a job's photos a date or a caption did, counted once its done photos are written. */
export interface Telling {
  /** Done photos written where they lie, saying it. */
  inPlace: number
  /** Photos waiting to be enhanced (the next run says it, or says it no more). */
  waiting: number
  /** Photos that say nothing of it now (their names said none). */
  silent: number
}

/**
 * Chooses a date or a caption for a whole job, or the photos of one of its folders (`folder`), without enhancing
 * anything: done photos are written where they lie; those that cannot be, and those taken back, wait for the next run.
 * `says`: whether a photo says it. Counts those photos.
 */
export async function tellPhotos(
  runner: QueueRunner,
  job: Job,
  { choice, folder }: { choice: PhotoChoice; folder?: string | undefined },
  says: (job: Job, item: Item) => boolean,
): Promise<Telling> {
  const told = () => runner.items(job.id).filter((i) => folder === undefined || folderOf(i.input) === folder)
  const done = new Set(told().flatMap((i) => (i.state === 'done' ? [i.id] : [])))
  await adjustHeld(runner, { jobId: job.id, ...(folder === undefined ? {} : { folder }) }, choice)
  const items = told()
  return {
    inPlace: items.filter((i) => done.has(i.id) && i.state === 'done' && says(job, i)).length,
    waiting: items.filter((i) => i.state === 'queued').length,
    silent: items.filter((i) => !says(job, i)).length,
  }
}

/**
 * Chooses `choice` for `target` with the queue held, so that the command enhances nothing; resolves once the done
 * photos it tells are written. Returns how many photos will be enhanced (again) at the next run.
 */
async function adjustHeld(runner: QueueRunner, target: ChoiceTarget, choice: PhotoChoice): Promise<number> {
  runner.hold()
  const again = await runner.adjust(target, choice)
  await runner.idle()
  return again
}

/** A photo of a job as a command says it: its name in the job, and the job's short id ("Summer/a.jpg of 3f2a91c0"). */
function photoOfJob(job: Job, photo: Item): string {
  return `${nameInJob(job, photo.input)} of ${job.id.slice(0, 8)}`
}

/** A job's short id, and the folder of its photos a command names (`3f2a91c0 (Summer/)`). */
export function jobAndFolder(job: Job, folder: string | undefined): string {
  const id = job.id.slice(0, 8)
  return folder === undefined ? id : `${id} (${nameInJob(job, folder)}/)`
}

export const RESUME_HINT = 'run "enhance --resume" (or open the app) for that.'

/** The photos still to be enhanced so, and how: words after a sentence (none where none waits). */
export function waitingWords(waiting: number): string {
  return waiting
    ? ` ${photoCount(waiting)} ${waiting === 1 ? 'waits' : 'wait'} to be enhanced so: ${RESUME_HINT}`
    : ''
}

/** How photos told as their names say were told, and how many of them say nothing. */
export function namesWords(silent: number): string {
  return `each as its names say (${silent} ${silent === 1 ? 'says' : 'say'} none)`
}

/**
 * What a command's word names among a job's photos (`all`, a photo by the end of its path, or a folder ending in `/`),
 * as a choice's target, and in words ("the photos of 3f2a91c0 (Summer/)").
 */
export function namedTarget(
  runner: QueueRunner,
  job: Job,
  named: string,
): { target: ChoiceTarget; whose: string } {
  const items = runner.items(job.id)
  if (named === 'all')
    return { target: { jobId: job.id }, whose: `the photos of ${jobAndFolder(job, undefined)}` }
  if (namesFolder(named)) {
    const folder = folderNamed(items, named, job)
    return { target: { jobId: job.id, folder }, whose: `the photos of ${jobAndFolder(job, folder)}` }
  }
  const photo = photoNamed(items, named, job)
  return { target: { jobId: job.id, itemId: photo.id }, whose: photoOfJob(job, photo) }
}

/**
 * Chooses `choice` for the photos `named` names, enhancing nothing here: done photos wait to be enhanced again so at the
 * next run. Says what was chosen (`what`: "Realism 80%"), for whom, and how many will be enhanced.
 */
export async function chooseForNamed(
  runner: QueueRunner,
  job: Job,
  named: string,
  { choice, what }: { choice: PhotoChoice; what: string },
): Promise<string> {
  const { target, whose } = namedTarget(runner, job, named)
  const again = await adjustHeld(runner, target, choice)
  return again
    ? `${what} for ${whose}: ${photoCount(again)} will be enhanced so, ${RESUME_HINT}`
    : `${what} for ${whose}: nothing there is done or waiting, so nothing will be enhanced.`
}

/** A command's words after its job: the photos it names (`all` where it gives only the value), and the value. */
export function namedAndValue(words: string[], usage: string): [named: string, value: string | undefined] {
  if (words.length > 2) throw invalid(`Too many words: ${usage}`)
  return words.length === 2 ? [words[0]!, words[1]] : ['all', words[0]]
}

/** What telling one photo a date or a caption did: its name in the job, and whether its file says it now. */
export interface ToldPhoto {
  /** "Summer/a.jpg of 3f2a91c0". */
  name: string
  /** It was done, and its file was written where it lies. */
  inPlace: boolean
  wasDone: boolean
}

/**
 * Chooses a date or a caption for one photo of a job without enhancing anything: written into its file where it lies
 * if it is done; a photo that cannot be (an AVIF), one whose date or caption is taken off, and one not yet enhanced
 * wait for the next run.
 */
export async function tellPhoto(
  runner: QueueRunner,
  job: Job,
  photo: Item,
  choice: PhotoChoice,
): Promise<ToldPhoto> {
  const wasDone = photo.state === 'done'
  await adjustHeld(runner, { jobId: job.id, itemId: photo.id }, choice)
  const after = runner.items(job.id).find((i) => i.id === photo.id)!
  return { name: photoOfJob(job, photo), inPlace: wasDone && after.state === 'done', wasDone }
}

/** What taking one photo's date or caption (`what`) off did: it is enhanced (again) without it at the next run. */
export function tookOffWords(what: string, { name, wasDone }: ToldPhoto): string {
  const again = wasDone ? 'it will be enhanced again without it' : 'it will be enhanced without it'
  return `Took the ${what} off ${name}: ${again}, ${RESUME_HINT}`
}
