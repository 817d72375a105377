import { enhanceFile } from '../../src/engine/enhance-file.js'
import type { ModelRegistry } from '../../src/engine/registry.js'
import { formatForInput } from '../../src/shared/formats.js'
import type { EnhanceReply, ModelSpecData } from '../../src/shared/protocol.js'
import type { EngineSettings, EnhanceSettings } from '../../src/shared/settings.js'

/** The file pipeline as the queue calls it: an output format of 'same' resolved by the input's name first. */
export function enhancePhoto(
  registry: ModelRegistry,
  input: string,
  output: string,
  model: ModelSpecData,
  settings: EnhanceSettings & Pick<EngineSettings, 'kept' | 'takenPlace'>,
  maxInputPixels?: number,
): Promise<EnhanceReply> {
  const format = formatForInput(settings.format, input)
  return enhanceFile(
    registry,
    { input, output, model, settings: { ...settings, format } },
    { maxInputPixels },
  )
}
