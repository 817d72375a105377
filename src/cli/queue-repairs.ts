import type { QueueRunner } from '../queue/runner.js'
import type { Job } from '../queue/types.js'
import { repairWords, repairsOf } from '../shared/settings.js'
import type { Repairs } from '../shared/settings.js'
import { invalid, parseRestoreStrength, requireValue } from './args.js'
import type { Io } from './jobs.js'
import { chooseForNamed, namedAndValue } from './queue-tell.js'

const USAGE =
  'enhance queue repairs <job> [<photo|folder/|all>] <colours,dust,scratches|none> [--restore-strength 0.6]'

/** Each repair's word, as the flags that ask for it name it (`--restore-colours`, `--remove-dust`, …). */
const REPAIRS: Record<string, keyof Repairs> = {
  colours: 'restoreColours',
  colors: 'restoreColours',
  dust: 'removeDust',
  scratches: 'removeScratches',
}

/** The repairs `enhance queue repairs` names, with commas between (`dust,scratches`), or `none`. */
export function parseQueueRepairs(text: string | undefined, strength: string | undefined): Required<Repairs> {
  const words = requireValue(text?.trim(), `repairs: ${USAGE}`).toLowerCase().split(',')
  const none = words.length === 1 && words[0] === 'none'
  const unknown = none ? [] : words.filter((word) => !(word in REPAIRS))
  if (unknown.length)
    throw invalid(
      `Repairs are colours, dust and scratches, with commas between, or none; got "${unknown.join(',')}".`,
    )
  const asked = none ? [] : words.map((word) => REPAIRS[word]!)
  if (strength !== undefined && !asked.includes('restoreColours'))
    throw invalid('--restore-strength says how far colours are restored: name colours with it.')
  return repairsOf({
    ...Object.fromEntries(asked.map((repair) => [repair, true])),
    ...(asked.includes('restoreColours') ? { restoreStrength: parseRestoreStrength(strength) } : {}),
  })
}

/**
 * `enhance queue repairs <job> [<photo|folder/|all>] <repairs> [--restore-strength <s>]`: what is mended in one photo
 * of a job, the photos of one of its folders, or all of them (replacing those chosen per photo) before they are
 * enhanced, as Realism's repairs do in the app. Nothing is enhanced here: done photos wait to be enhanced again so.
 */
export async function mendPhotos(
  runner: QueueRunner,
  job: Job,
  words: string[],
  strength: string | undefined,
  io: Io,
): Promise<void> {
  const [named, given] = namedAndValue(words, USAGE)
  const repairs = parseQueueRepairs(given, strength)
  const what = `With ${repairWords(repairs) || 'no repairs'}`
  io.out(await chooseForNamed(runner, job, named, { choice: { repairs }, what }))
}
