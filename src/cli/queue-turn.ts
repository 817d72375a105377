import type { QueueRunner } from '../queue/runner.js'
import type { Job } from '../queue/types.js'
import { facingWords, parseTurn } from '../shared/turn.js'
import type { Facing } from '../shared/turn.js'
import { invalid, requireValue } from './args.js'
import type { Io } from './jobs.js'
import { chooseForNamed, namedAndValue } from './queue-tell.js'

const USAGE = 'enhance queue turn <job> [<photo|folder/|all>] <right|left|90|180|270|upright> [--mirror]'

/** How `enhance queue turn` says the photos lie: a turn as `--turn` takes it, or `upright`; mirrored with `--mirror`. */
export function parseQueueFacing(text: string | undefined, mirrored: boolean): Facing {
  const given = requireValue(text?.trim(), `turn: ${USAGE}`)
  const turn = given.toLowerCase() === 'upright' ? 0 : parseTurn(given)
  if (turn === null) throw invalid(`A turn is right, left, 90, 180, 270 or upright; got "${given}".`)
  return { turn, mirrored }
}

/**
 * `enhance queue turn <job> [<photo|folder/|all>] <turn> [--mirror]`: how one photo of a job, the photos of one of its
 * folders, or all of them (replacing those chosen per photo) lie once enhanced, as ⟲ ⟳ ⇆ do in the app: prints laid
 * sideways on the scanner. Nothing is enhanced here: done photos wait to be enhanced again so at the next run.
 */
export async function turnPhotos(
  runner: QueueRunner,
  job: Job,
  words: string[],
  mirrored: boolean,
  io: Io,
): Promise<void> {
  const [named, given] = namedAndValue(words, USAGE)
  const facing = parseQueueFacing(given, mirrored)
  const lies = facingWords(facing) || 'upright'
  const what = `${lies[0]!.toUpperCase()}${lies.slice(1)}`
  io.out(await chooseForNamed(runner, job, named, { choice: { facing }, what }))
}
