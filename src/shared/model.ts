import { EnhanceError } from './errors.js'
import type { ModelSpecData } from './protocol.js'

/** Facts about an ESRGAN-family model, detected from its weights and shared by every layer. */
export type CheckpointFormat = 'pth-zip' | 'pth-legacy' | 'safetensors' | 'onnx'

export type WeightLayout = 'old-arch' | 'new-arch' | 'basicsr' | 'compact' | 'onnx'

/** The arithmetic a session runs in. */
export const PRECISIONS = ['fp32', 'fp16', 'int8'] as const
export type Precision = (typeof PRECISIONS)[number]

/**
 * What a user can ask for. `auto` takes float16 only on an accelerator where it measured faster and agrees,
 * and int8 only on the CPU, for a model whose stored calibration keeps the quality bound, where it measured faster.
 */
export const PRECISION_CHOICES = ['auto', ...PRECISIONS] as const
export type PrecisionChoice = (typeof PRECISION_CHOICES)[number]

export function isPrecisionChoice(value: unknown): value is PrecisionChoice {
  return (PRECISION_CHOICES as readonly unknown[]).includes(value)
}

export interface RrdbArch {
  arch: 'RRDBNet'
  /** Output size over input size: 2 ** upsamples / unshuffle. */
  scale: number
  nf: number
  nb: number
  gc: number
  inChannels: number
  outChannels: number
  /** Nearest ×2 upsampling stages in the body (2 for every BasicSR model). */
  upsamples: number
  /** Pixel-unshuffle factor in front (1, 2 or 4): Real-ESRGAN ×2 and ×1. */
  unshuffle: number
}

/** Real-ESRGAN's SRVGGNetCompact: conv + PReLU, `numConv` more of them, a conv to out·s², pixel shuffle. */
export interface CompactArch {
  arch: 'compact'
  scale: number
  numFeat: number
  numConv: number
  inChannels: number
  outChannels: number
}

export type ModelArch = RrdbArch | CompactArch

export type ModelInfo = ModelArch & {
  format: CheckpointFormat
  layout: WeightLayout
  params: number
  sha256: string
}

const RRDB_FIELDS = [
  'scale',
  'nf',
  'nb',
  'gc',
  'inChannels',
  'outChannels',
  'upsamples',
  'unshuffle',
] as const
const COMPACT_FIELDS = ['scale', 'numFeat', 'numConv', 'inChannels', 'outChannels'] as const

/** The architecture alone, without the file facts: what `inspect` prints and what a pair must share. */
export function archOf(info: ModelArch): ModelArch {
  if (info.arch === 'compact') {
    const { arch, scale, numFeat, numConv, inChannels, outChannels } = info
    return { arch, scale, numFeat, numConv, inChannels, outChannels }
  }
  const { arch, scale, nf, nb, gc, inChannels, outChannels, upsamples, unshuffle } = info
  return { arch, scale, nf, nb, gc, inChannels, outChannels, upsamples, unshuffle }
}

/** "RRDBNet nf 64 nb 23" or "compact nf 64 × 32 convs": the size in a line for people. */
export function describeArch(arch: ModelArch): string {
  return arch.arch === 'compact'
    ? `Compact ×${arch.scale}, ${arch.numFeat} features × ${arch.numConv} convolutions`
    : `RRDBNet ×${arch.scale}, nf ${arch.nf}, nb ${arch.nb}`
}

/** Why two models cannot be blended for the realism slider, or null when they can. */
export function pairProblem(a: ModelInfo, b: ModelInfo): string | null {
  if ((a.format === 'onnx') !== (b.format === 'onnx'))
    return 'a checkpoint cannot be blended with an .onnx file'
  if (a.arch !== b.arch) return `their architectures differ (${a.arch} vs ${b.arch})`
  const left = archOf(a) as unknown as Record<string, number>
  const right = archOf(b) as unknown as Record<string, number>
  const fields = a.arch === 'compact' ? COMPACT_FIELDS : RRDB_FIELDS
  const differing = fields.filter((field) => left[field] !== right[field])
  if (differing.length)
    return `their architectures differ (${differing.map((f) => `${f} ${left[f]} vs ${right[f]}`).join(', ')})`
  return null
}

/** Throws INCOMPATIBLE_MODELS, saying what to pair instead, unless two models can be blended for the slider. */
export function checkPair(a: ModelInfo, b: ModelInfo): void {
  const problem = pairProblem(a, b)
  if (problem)
    throw new EnhanceError(
      'INCOMPATIBLE_MODELS',
      `These two models cannot be paired: ${problem}. Pair a PSNR model with a GAN model of the same architecture.`,
    )
}

/** Whether two model specs run the same models (at any realism). */
export function sameModels(a: ModelSpecData, b: ModelSpecData): boolean {
  return a.path === b.path && a.blend?.path === b.blend?.path
}
