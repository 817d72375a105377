import type { CheckpointFormat, ModelInfo, WeightLayout } from '../../../shared/model.js'

const FILE_KINDS: Record<CheckpointFormat, string> = {
  'pth-zip': 'PyTorch checkpoint (.pth)',
  'pth-legacy': 'PyTorch checkpoint (.pth, the pre-1.6 format)',
  safetensors: 'safetensors',
  onnx: 'ONNX graph',
}

const WEIGHT_NAMES: Record<WeightLayout, string> = {
  'old-arch': 'the original ESRGAN release’s (old-arch)',
  'new-arch': 'ESRGAN’s later code (new-arch)',
  basicsr: 'BasicSR and Real-ESRGAN',
  compact: 'Real-ESRGAN’s compact network',
  onnx: 'an exported graph',
}

/** What the Models view says about a model file, in labelled lines a person can read. */
export function modelFacts(info: ModelInfo): [label: string, value: string][] {
  const network =
    info.arch === 'compact'
      ? `Real-ESRGAN compact (SRVGGNet): ${info.numFeat} features, ${info.numConv} convolutions`
      : `RRDBNet (ESRGAN): nf ${info.nf}, nb ${info.nb}, gc ${info.gc}`
  const facts: [string, string][] = [
    ['Enlarges', `×${info.scale}`],
    ['Network', network],
    ['Parameters', info.params.toLocaleString('en')],
  ]
  if (info.inChannels !== 3 || info.outChannels !== 3)
    facts.push(['Channels', `${info.inChannels} in, ${info.outChannels} out`])
  facts.push(
    ['File', FILE_KINDS[info.format]],
    ['Weight names as in', WEIGHT_NAMES[info.layout]],
    ['SHA-256', info.sha256],
  )
  return facts
}
