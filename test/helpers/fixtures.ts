import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ErrorCode } from '../../src/shared/errors.js'

export const FIXTURES = fileURLToPath(new URL('../fixtures/models/', import.meta.url))

export interface FixtureModel {
  name: string
  file: string
  format: string
  layout: string
  scale: number
  nf: number
  nb: number
  gc: number
  inChannels: number
  outChannels: number
  params: number
  output: string
  outputShape: number[]
  dtype?: string
}

export interface CompactFixture {
  name: string
  file: string
  format: string
  scale: number
  numFeat: number
  numConv: number
  inChannels: number
  outChannels: number
  params: number
  output: string
  outputShape: number[]
}

export interface Manifest {
  inputShape: number[]
  models: FixtureModel[]
  blend: { psnr: string; gan: string; alpha: number; output: string; outputShape: number[] }
  /** PyTorch's mirror of the engine's int8 graph: its calibrated ranges and its output for the input. */
  int8: {
    model: string
    ranges: string
    output: string
    outputShape: number[]
    /** The same graph with 7-bit weights. */
    int7: { output: string; outputShape: number[] }
  }
  compact: CompactFixture[]
  compactBlend: { a: string; b: string; alpha: number; output: string; outputShape: number[] }
  refused: Array<{ file: string; code: ErrorCode }>
  pwnedMarker: string
}

export const manifest = JSON.parse(readFileSync(`${FIXTURES}manifest.json`, 'utf8')) as Manifest

/** A file under test/fixtures/images (see its README). */
export function imageFixture(file: string): string {
  return fileURLToPath(new URL(`../fixtures/images/${file}`, import.meta.url))
}

export function fixturePath(file: string): string {
  return `${FIXTURES}${file}`
}

export function readFloats(file: string): Float32Array {
  return new Float32Array(new Uint8Array(readFileSync(fixturePath(file))).buffer)
}

export function fixtureBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(file)))
}

export const input = readFloats('input.bin')

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!))
  return max
}
