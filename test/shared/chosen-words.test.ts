import { describe, expect, it } from 'vitest'
import { chosenWords, madeWords } from '../../src/shared/chosen-words.js'
import type { Chosen } from '../../src/shared/chosen-words.js'
import { repairsOf } from '../../src/shared/settings.js'
import { UPRIGHT } from '../../src/shared/turn.js'

describe('what was chosen for a job’s photos, in words', () => {
  const plain: Chosen = {
    realism: null,
    repairs: repairsOf({}),
    facing: UPRIGHT,
    taken: null,
    takenFromNames: false,
    caption: null,
    captionFromNames: false,
    ownRealism: 0,
    ownRepairs: 0,
  }

  it('says each choice where one was made, in the card’s order, and nothing of what was not', () => {
    expect(chosenWords(plain)).toEqual([])
    expect(
      chosenWords({
        realism: 0.8,
        repairs: repairsOf({ removeDust: true }),
        facing: { turn: 90, mirrored: true },
        taken: '1962-07',
        takenFromNames: false,
        caption: 'Grandma at the lake\nwith Tom',
        captionFromNames: false,
        ownRealism: 1,
        ownRepairs: 3,
      }),
    ).toEqual([
      'realism 80%',
      '1 photo at its own realism',
      'dust removed',
      '3 photos with their own repairs',
      'mirrored and turned a quarter right',
      'taken in July 1962',
      'captioned “Grandma at the lake…”',
    ])
    expect(chosenWords({ ...plain, takenFromNames: true, captionFromNames: true })).toEqual([
      'dated as their names say',
      'captioned as their names say',
    ])
    expect(chosenWords({ ...plain, ownRealism: 2, ownRepairs: 1 })).toEqual([
      '2 photos at their own realism',
      '1 photo with its own repairs',
    ])
    // With the size the photos are made at, last, where it is not the model's own (the card's line, the list's).
    expect(madeWords({ ...plain, realism: 0.5 }, { mode: 'scale', scale: 2 })).toEqual(['realism 50%', '×2'])
    expect(madeWords(plain, { mode: 'native' })).toEqual([])
    // A caption that would act on the window is said with that character as its code.
    expect(chosenWords({ ...plain, caption: 'a\u202Eb' })).toEqual(['captioned “a\\u202eb”'])
  })
})
