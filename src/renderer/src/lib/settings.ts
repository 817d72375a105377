import { FORMAT_EXTENSIONS } from '../../../shared/formats.js'
import { renderName } from '../../../shared/naming.js'
import type { EnhanceSettings, SizeSpec } from '../../../shared/settings.js'

export const SIZE_CHOICES: { key: string; label: string; size: SizeSpec }[] = [
  { key: 'native', label: "The model's scale (×4)", size: { mode: 'native' } },
  { key: 'x2', label: '×2', size: { mode: 'scale', scale: 2 } },
  { key: 'x3', label: '×3', size: { mode: 'scale', scale: 3 } },
  { key: 'x1', label: 'Same size (restore only)', size: { mode: 'scale', scale: 1 } },
]

export function sizeKey(size: SizeSpec): string {
  const match = SIZE_CHOICES.find(
    (c) => c.size.mode === 'scale' && size.mode === 'scale' && c.size.scale === size.scale,
  )
  return match?.key ?? 'native'
}

/** What "IMG_0042.jpg" would be called with these settings, as the queue will name it. */
export function exampleName(naming: string, output: EnhanceSettings, realism: number): string {
  const name = renderName(naming, {
    name: 'IMG_0042',
    scale: output.size.mode === 'scale' ? output.size.scale : 4,
    realism,
    model: 'enhance-real-psnr-x4',
  })
  return `${name}.${FORMAT_EXTENSIONS[output.format === 'same' ? 'jpeg' : output.format]}`
}
