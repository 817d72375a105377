import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadModel } from '../../src/engine/model.js'
import { writeSafetensors } from '../../src/engine/weights/safetensors.js'
import type { StateDict } from '../../src/engine/weights/tensor.js'
import type { EnhanceError } from '../../src/shared/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'enhance-families-'))

/** A checkpoint holding `keys`, each a small tensor: what a file of that family is named like, not its sizes. */
function checkpoint(name: string, keys: string[]): string {
  const weights: StateDict = new Map(
    keys.map((key) => [
      key,
      { shape: [2, 2], data: new Float32Array(4).fill(0.5), stored: 'float32' as const },
    ]),
  )
  const path = join(dir, `${name}.safetensors`)
  writeFileSync(path, writeSafetensors(weights))
  return path
}

const refusal = async (path: string): Promise<EnhanceError> =>
  (await loadModel(path).catch((error: unknown) => error)) as EnhanceError

// Keys as the families' checkpoints have them (a few of each, the ones they share with their neighbours included).
const SWIN_BLOCK = 'layers.0.residual_group.blocks.0'
const FAMILIES: [family: string, keys: string[]][] = [
  [
    'HAT',
    [
      'conv_first.weight',
      'relative_position_index_SA',
      'relative_position_index_OCA',
      `${SWIN_BLOCK}.norm1.weight`,
      `${SWIN_BLOCK}.attn.relative_position_bias_table`,
      `${SWIN_BLOCK}.conv_block.cab.0.weight`,
      'layers.0.residual_group.overlap_attn.qkv.weight',
      'conv_last.weight',
    ],
  ],
  [
    'SwinIR',
    [
      'conv_first.weight',
      'patch_embed.norm.weight',
      `${SWIN_BLOCK}.attn.relative_position_bias_table`,
      `${SWIN_BLOCK}.attn.relative_position_index`,
      `${SWIN_BLOCK}.mlp.fc1.bias`,
      'conv_after_body.weight',
      'conv_last.weight',
    ],
  ],
  [
    'Swin2SR',
    [
      'conv_first.weight',
      'patch_embed.proj.weight',
      `${SWIN_BLOCK}.attn.logit_scale`,
      `${SWIN_BLOCK}.attn.relative_position_index`,
      'conv_last.weight',
    ],
  ],
  [
    'SPAN',
    ['conv_1.sk.weight', 'block_1.c1_r.sk.weight', 'block_1.c1_r.eval_conv.weight', 'conv_cat.weight'],
  ],
  [
    'SPSR',
    ['model.0.weight', 'model.1.sub.0.RDB1.conv1.0.weight', 'f_HR_conv1.0.weight', 'b_fea_conv.weight'],
  ],
  ['PLKSR', ['feats.0.weight', 'feats.1.lk.conv.weight', 'feats.1.channel_mixer.0.weight']],
  ['Real-CUGAN', ['unet1.conv1.conv.0.weight', 'unet2.conv1.conv.0.weight']],
  [
    'GFPGAN',
    [
      'conv_body_first.weight',
      'toRGB.0.weight',
      'stylegan_decoder.style_mlp.1.weight',
      'stylegan_decoder.constant_input.weight',
    ],
  ],
]

describe('a checkpoint of a network Enhance does not run', () => {
  it.each(FAMILIES)('says what it is: %s', async (family, keys) => {
    const error = await refusal(checkpoint(family, keys))
    expect([error.code, error.message]).toEqual([
      'UNKNOWN_ARCHITECTURE',
      `This model is not an ESRGAN-family network Enhance can run (its network is ${family}). ` +
        'Use an ESRGAN, Real-ESRGAN or BasicSR checkpoint of an RRDBNet or a Compact (SRVGGNetCompact) network.',
    ])
  })

  it('of no family it knows, names its first weights instead', async () => {
    const error = await refusal(checkpoint('mystery', ['encoder.stem.weight', 'decoder.head.weight']))
    expect(error.message).toContain('(its weights are named encoder.stem.weight, decoder.head.weight)')
  })
})
