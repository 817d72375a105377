import type { ItemView } from '../../src/shared/api.js'
import { repairsOf } from '../../src/shared/settings.js'
import { UPRIGHT } from '../../src/shared/turn.js'

/**
 * A photo as the window is told of it: done, of the job `album`, its result in `/out`, upright, with no realism,
 * repairs, kept places, date or caption of its own but those `own` says.
 */
export function itemView(input: string, own: Partial<ItemView> = {}): ItemView {
  return {
    id: input,
    jobId: 'album',
    input,
    output: `/out${input}`,
    state: 'done',
    realism: null,
    repairs: repairsOf({}),
    kept: [],
    facing: UPRIGHT,
    taken: null,
    caption: null,
    ...own,
  }
}
