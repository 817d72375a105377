import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const EVAL = join(__dirname, '../../../shared/datasets/eval')

/** The high-resolution photos of the evaluation sets named (in `../shared/datasets/eval`), in file order. */
export function evalPhotos(sets: string[]): string[] {
  return sets.flatMap((set) =>
    readdirSync(join(EVAL, set, 'HR'))
      .filter((name) => name.endsWith('.png'))
      .map((name) => join(EVAL, set, 'HR', name)),
  )
}

export const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length
export const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
