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
