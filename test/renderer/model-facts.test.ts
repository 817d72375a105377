import { describe, expect, it } from 'vitest'
import { modelFacts } from '../../src/renderer/src/lib/model-facts.js'
import type { ModelInfo } from '../../src/shared/model.js'

describe('what the Models view says a model file is', () => {
  it('names an old ESRGAN checkpoint’s network, size and file in words, in order', () => {
    const legacy: ModelInfo = {
      arch: 'RRDBNet',
      scale: 4,
      nf: 8,
      nb: 2,
      gc: 4,
      inChannels: 3,
      outChannels: 3,
      upsamples: 2,
      unshuffle: 1,
      format: 'pth-legacy',
      layout: 'old-arch',
      params: 25387,
      sha256: '0a62fb8c',
    }
    expect(modelFacts(legacy)).toEqual([
      ['Enlarges', '×4'],
      ['Network', 'RRDBNet (ESRGAN): nf 8, nb 2, gc 4'],
      ['Parameters', '25,387'],
      ['File', 'PyTorch checkpoint (.pth, the pre-1.6 format)'],
      ['Weight names as in', 'the original ESRGAN release’s (old-arch)'],
      ['SHA-256', '0a62fb8c'],
    ])
  })

  it('says the channels only where they are not colour in, colour out', () => {
    const grey: ModelInfo = {
      arch: 'compact',
      scale: 2,
      numFeat: 64,
      numConv: 16,
      inChannels: 1,
      outChannels: 1,
      format: 'safetensors',
      layout: 'compact',
      params: 600_000,
      sha256: 'ff',
    }
    expect(modelFacts(grey).slice(0, 4)).toEqual([
      ['Enlarges', '×2'],
      ['Network', 'Real-ESRGAN compact (SRVGGNet): 64 features, 16 convolutions'],
      ['Parameters', '600,000'],
      ['Channels', '1 in, 1 out'],
    ])
  })
})
