/** Facts about an ESRGAN-family model, detected from its weights and shared by every layer. */
export type CheckpointFormat = 'pth-zip' | 'pth-legacy' | 'safetensors' | 'onnx'

export type WeightLayout = 'old-arch' | 'new-arch' | 'basicsr' | 'onnx'

export type Precision = 'fp32' | 'fp16'

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

export interface ModelInfo extends RrdbArch {
  format: CheckpointFormat
  layout: WeightLayout
  params: number
  sha256: string
}

const ARCH_FIELDS = [
  'arch',
  'scale',
  'nf',
  'nb',
  'gc',
  'inChannels',
  'outChannels',
  'upsamples',
  'unshuffle',
] as const

/** Why two models cannot be blended for the realism slider, or null when they can. */
export function pairProblem(a: ModelInfo, b: ModelInfo): string | null {
  if ((a.format === 'onnx') !== (b.format === 'onnx'))
    return 'a checkpoint cannot be blended with an .onnx file'
  const differing = ARCH_FIELDS.filter((field) => a[field] !== b[field])
  if (differing.length)
    return `their architectures differ (${differing.map((f) => `${f} ${a[f]} vs ${b[f]}`).join(', ')})`
  return null
}
