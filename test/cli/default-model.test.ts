import { describe, expect, it } from 'vitest'
import { MODELS_DIR, resolveModelSpec } from '../../src/cli/models.js'

describe('the model a command uses', () => {
  it('is the real-photo pair with no --model, blended at the default realism', () => {
    expect(resolveModelSpec({})).toEqual({
      path: `${MODELS_DIR}enhance-real-psnr-x4.safetensors`,
      blend: { path: `${MODELS_DIR}enhance-real-gan-x4.safetensors`, realism: 0.5 },
    })
  })

  it('keeps the clean pair under its own names', () => {
    expect(resolveModelSpec({ model: 'enhance-psnr-x4', realism: 0.2 })).toEqual({
      path: `${MODELS_DIR}enhance-psnr-x4.safetensors`,
      blend: { path: `${MODELS_DIR}enhance-gan-x4.safetensors`, realism: 0.2 },
    })
    expect(resolveModelSpec({ model: 'enhance-gan-x4' })).toEqual({
      path: `${MODELS_DIR}enhance-gan-x4.safetensors`,
    })
  })
})
