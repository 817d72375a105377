import { captionShort } from './caption.js'
import type { Caption } from './caption.js'
import { percent } from './job-title.js'
import { printable } from './printable.js'
import { aPrintOf } from './print-size.js'
import { repairWords } from './settings.js'
import type { Repairs, SizeSpec } from './settings.js'
import { takenWords } from './taken.js'
import type { Taken } from './taken.js'
import { facingWords } from './turn.js'
import type { Facing } from './turn.js'

/** What was chosen for a job's photos, unless one chose otherwise: as its card and `enhance queue` say it. */
export interface Chosen {
  /** The realism they are enhanced at; null: its model has no GAN partner. */
  realism: number | null
  /** What is mended in its photos before they are enhanced: faded colours, dust. */
  repairs: Required<Repairs>
  /** How its photos lie (mirrored, turned clockwise). */
  facing: Facing
  /** When its photos were taken; null where nobody said, or each photo's names say. */
  taken: Taken | null
  /** Each photo is dated as its own name or its folders say (`--taken names`). */
  takenFromNames: boolean
  /** What is written under its photos (`--caption`); null where nobody wrote one. */
  caption: Caption | null
  /** What is under each photo is what its own name or its folders say (`--caption names`). */
  captionFromNames: boolean
  /** How many of its photos are enhanced at a realism of their own (chosen for them, or for their folder). */
  ownRealism: number
  /** How many of its photos have repairs of their own. */
  ownRepairs: number
}

/** A bundled pair by what it is for (`useFor`, "Clean, sharp originals"): "the pair for clean, sharp originals". */
export function pairWords(useFor: string): string {
  return `the pair for ${useFor.charAt(0).toLowerCase()}${useFor.slice(1)}`
}

/** A caption's first line, quoted, as a card or a command says it: “Grandma at the lake”. */
export function captionQuoted(caption: Caption): string {
  return `“${printable(captionShort(caption))}”`
}

/** "1 photo at its own realism", "3 photos with their own repairs"; empty for none. */
function ownWords(count: number, at: string, what: string): string {
  if (count === 0) return ''
  return count === 1 ? `1 photo ${at} its own ${what}` : `${count} photos ${at} their own ${what}`
}

/**
 * What was chosen for a job's photos, in words, each said only where chosen: "realism 50%", "1 photo at its own
 * realism", "dust removed", "turned a quarter right", "taken in 1962", "captioned “Lake Como”" (or as their names say).
 */
export function chosenWords(chosen: Chosen): string[] {
  const { realism, repairs, facing, taken, takenFromNames, caption, captionFromNames } = chosen
  const dated = taken ? takenWords(taken) : takenFromNames ? 'dated as their names say' : ''
  const captioned = caption
    ? `captioned ${captionQuoted(caption)}`
    : captionFromNames
      ? 'captioned as their names say'
      : ''
  return [
    realism === null ? '' : `realism ${percent(realism)}`,
    ownWords(chosen.ownRealism, 'at', 'realism'),
    repairWords(repairs),
    ownWords(chosen.ownRepairs, 'with', 'repairs'),
    facingWords(facing),
    dated,
    captioned,
  ].filter(Boolean)
}

/** The size a job's photos are made, in words ("longest side 2000 px", "for an A4 print at 300 dpi"); empty at the model's own. */
export function sizeWords(size: SizeSpec): string {
  switch (size.mode) {
    case 'native':
      return ''
    case 'scale':
      return size.scale === 1 ? 'same size' : `×${size.scale}`
    case 'exact':
      return `${size.width} × ${size.height} px`
    case 'fit':
      return size.width === size.height
        ? `longest side ${size.width} px`
        : `within ${size.width} × ${size.height} px`
    case 'print':
      return `for ${aPrintOf(size.width, size.height)} print at ${size.dpi} dpi${printFitWords(size)}`
  }
}

/** How a photo is put on its print, where it is not only fitted within it. */
function printFitWords(print: { fill?: boolean; border?: boolean }): string {
  if (print.fill) return ', edges cut to fill it'
  return print.border ? ', on white to fill it' : ''
}

/** What a job's photos are made with, in words: what was chosen for them, then their size where not the model's own. */
export function madeWords(chosen: Chosen, size: SizeSpec): string[] {
  return [...chosenWords(chosen), sizeWords(size)].filter(Boolean)
}
