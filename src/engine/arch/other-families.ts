/**
 * Networks people find beside ESRGAN models (OpenModelDB, chaiNNer's and Upscayl's lists) that Enhance does not
 * run, each by weights only it has (the keys spandrel tells them apart by), so that a refusal can say what a
 * checkpoint is. The first whose keys are all there names it: a family that extends another comes before it.
 */
const OTHER_FAMILIES: ReadonlyArray<{ name: string; keys: readonly string[] }> = [
  // ESRGAN's layout with a gradient branch.
  { name: 'SPSR', keys: ['f_HR_conv1.0.weight', 'model.0.weight'] },
  {
    name: 'HAT',
    keys: ['relative_position_index_SA', 'layers.0.residual_group.blocks.0.conv_block.cab.0.weight'],
  },
  { name: 'SRFormer', keys: ['layers.0.residual_group.blocks.0.attn.aligned_relative_position_index'] },
  { name: 'DRCT', keys: ['layers.0.swin1.attn.relative_position_bias_table'] },
  {
    name: 'Swin2SR',
    keys: ['patch_embed.proj.weight', 'layers.0.residual_group.blocks.0.attn.relative_position_index'],
  },
  {
    name: 'SwinIR',
    keys: ['conv_first.weight', 'layers.0.residual_group.blocks.0.attn.relative_position_index'],
  },
  { name: 'DAT', keys: ['conv_first.weight', 'layers.0.blocks.2.attn.attn_mask_0'] },
  { name: 'FDAT', keys: ['upsampler.MetaUpsample'] },
  { name: 'SPAN', keys: ['block_1.c1_r.sk.weight', 'conv_cat.weight'] },
  { name: 'PLKSR', keys: ['feats.0.weight', 'feats.1.lk.conv.weight'] },
  { name: 'OmniSR', keys: ['residual_layer.0.residual_layer.0.layer.0.fn.0.weight'] },
  { name: 'DITN', keys: ['UFONE.0.ITLs.0.attn.temperature'] },
  { name: 'RTMoSR', keys: ['to_img.0.conv1.k0'] },
  { name: 'SwiftSRGAN', keys: ['initial.cnn.depthwise.weight'] },
  { name: 'Real-CUGAN', keys: ['unet1.conv1.conv.0.weight'] },
  // Restorers that keep the size: denoising, JPEG artefacts, faces.
  { name: 'SCUNet', keys: ['m_head.0.weight', 'm_tail.0.weight'] },
  { name: 'FBCNN', keys: ['qf_pred.0.res.0.weight'] },
  { name: 'Restormer', keys: ['encoder_level1.0.attn.temperature'] },
  { name: 'GFPGAN', keys: ['toRGB.0.weight', 'stylegan_decoder.style_mlp.1.weight'] },
  { name: 'CodeFormer', keys: ['position_emb', 'quantize.embedding.weight'] },
  { name: 'RestoreFormer', keys: ['encoder.conv_in.weight', 'encoder.down.0.block.0.norm1.weight'] },
]

/** The family of a checkpoint Enhance does not run, by its weights' names ("HAT"), or null. */
export function otherFamily(keys: ReadonlySet<string>): string | null {
  return OTHER_FAMILIES.find((family) => family.keys.every((key) => keys.has(key)))?.name ?? null
}
