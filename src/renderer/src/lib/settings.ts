import { FORMAT_EXTENSIONS } from '../../../shared/formats.js'
import { renderName, sizeVars } from '../../../shared/naming.js'
import { DEFAULT_PRINT_DPI } from '../../../shared/print-size.js'
import type { EnhanceSettings, SizeSpec } from '../../../shared/settings.js'
import type { DeviceOffer } from '../../../shared/device.js'
import type { DeviceChoice, ModelChoice } from '../../../shared/preferences.js'
import type { ModelEntry } from '../../../shared/api.js'

export const SIZE_CHOICES: { key: string; label: string; size: SizeSpec }[] = [
  { key: 'native', label: "The model's scale", size: { mode: 'native' } },
  { key: 'x2', label: '×2', size: { mode: 'scale', scale: 2 } },
  { key: 'x3', label: '×3', size: { mode: 'scale', scale: 3 } },
  { key: 'x1', label: 'Same size (restore only)', size: { mode: 'scale', scale: 1 } },
  { key: 'long', label: 'Longest side…', size: { mode: 'fit', width: 3840, height: 3840 } },
  {
    key: 'print',
    label: 'For a print…',
    size: { mode: 'print', width: 8, height: 10, dpi: DEFAULT_PRINT_DPI },
  },
]

/** Which of `SIZE_CHOICES` `size` is: a fit within a square is a longest side. */
export function sizeKey(size: SizeSpec): string {
  if (size.mode === 'print') return 'print'
  if (size.mode === 'fit' && size.width === size.height) return 'long'
  const match = SIZE_CHOICES.find(
    (c) => c.size.mode === 'scale' && size.mode === 'scale' && c.size.scale === size.scale,
  )
  return match?.key ?? 'native'
}

/** A model as names say it: its {model} and its own scale. */
export interface NamedModel {
  name: string
  scale: number
}

/** The bundled pair new jobs use by default, as names say it. */
export const DEFAULT_NAMED_MODEL: NamedModel = { name: 'enhance-real-psnr-x4', scale: 4 }

/** The model new jobs use (`choice`: null for the default pair), as names say it, from the models installed. */
export function namedModel(models: readonly ModelEntry[], choice: ModelChoice | null): NamedModel {
  const entry = models.find((model) => (choice ? model.path === choice.path : model.isDefault))
  return entry ? { name: entry.name, scale: entry.info.scale } : DEFAULT_NAMED_MODEL
}

/** What "IMG_0042.jpg" would be called with these settings and `model`, as the queue will name it. */
export function exampleName(
  naming: string,
  output: EnhanceSettings,
  realism: number,
  model: NamedModel = DEFAULT_NAMED_MODEL,
): string {
  const name = renderName(naming, {
    name: 'IMG_0042',
    ...sizeVars(output.size, model.scale),
    realism,
    model: model.name,
  })
  return `${name}.${FORMAT_EXTENSIONS[output.format === 'same' ? 'jpeg' : output.format]}`
}

const DEVICE_LABELS: Record<DeviceChoice, string> = {
  auto: 'Automatic (best available)',
  cpu: 'CPU',
  cuda: 'NVIDIA GPU (CUDA)',
  dml: 'GPU (DirectML, Windows)',
  coreml: 'Apple Neural Engine (CoreML)',
  webgpu: 'Any GPU (WebGPU: Vulkan, Direct3D 12, Metal)',
}

export interface DeviceOption {
  device: DeviceChoice
  label: string
  /** Shown but not choosable: this computer has nothing it could run on. */
  disabled: boolean
}

/**
 * The Device list: the devices this computer offers (all of them until it has said), those without a GPU
 * to run on greyed out, and the stored choice kept in view even where it cannot run, so the list never
 * shows a device other than the one in effect.
 */
export function deviceOptions(offers: DeviceOffer[] | null, current: DeviceChoice): DeviceOption[] {
  const shown: DeviceOffer[] =
    offers ?? (Object.keys(DEVICE_LABELS) as DeviceChoice[]).map((device) => ({ device }))
  const options = shown.map(({ device, unavailable }) => ({
    device,
    label: unavailable ? `${DEVICE_LABELS[device]} — no GPU found` : DEVICE_LABELS[device],
    disabled: unavailable !== undefined && device !== current,
  }))
  if (shown.some((offer) => offer.device === current)) return options
  return [
    ...options,
    { device: current, label: `${DEVICE_LABELS[current]} — not on this computer`, disabled: false },
  ]
}

/** Why the stored device cannot run here, as the help under the list says it; null where it may. */
export function deviceProblem(offers: DeviceOffer[] | null, current: DeviceChoice): string | null {
  if (!offers) return null
  const offer = offers.find((o) => o.device === current)
  const why = offer ? offer.unavailable : 'it is not available on this kind of computer'
  return why
    ? `${DEVICE_LABELS[current]} cannot run here: ${why}. Photos wait until you choose Automatic or CPU.`
    : null
}

/**
 * Applies a text field's value by `apply`; a refused value goes back to what is `stored`, so the field never shows
 * something that is not in effect.
 */
export async function applyText(
  e: Event,
  apply: (text: string) => Promise<boolean>,
  stored: string,
): Promise<void> {
  const input = e.currentTarget as HTMLInputElement
  if (!(await apply(input.value))) input.value = stored
}
