import { EnhanceError } from '../../shared/errors.js'
import { DEVICE_CHOICES } from '../../shared/preferences.js'
import type { DeviceChoice } from '../../shared/preferences.js'
import type { DeviceOffer } from '../../shared/device.js'

/** What a user can ask for (the app's device setting). `auto` means the best available in platform order. */
export type DeviceRequest = DeviceChoice

/** onnxruntime-node execution provider names. */
export type Provider = 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu'

/**
 * The execution providers worth trying on each platform, in the order `auto` measures them; CPU always
 * last. WebGPU ships inside onnxruntime-node (Dawn: Vulkan, Direct3D 12 or Metal), so it is everywhere;
 * `auto` keeps an accelerator only when its probe tile beats the CPU's (runtime/choose.ts).
 */
export function providerOrder(platform: NodeJS.Platform, arch: string): Provider[] {
  if (platform === 'win32') return ['cuda', 'dml', 'webgpu', 'cpu']
  if (platform === 'darwin') return arch === 'arm64' ? ['coreml', 'webgpu', 'cpu'] : ['webgpu', 'cpu']
  if (platform === 'linux') return ['cuda', 'webgpu', 'cpu']
  return ['cpu']
}

/**
 * The devices worth offering on this platform (automatic and the CPU always), an accelerator marked with
 * `noGpu` where the machine has no GPU for it: it would open only a software adapter, or nothing.
 */
export function deviceOffers(platform: NodeJS.Platform, arch: string, noGpu: string | null): DeviceOffer[] {
  const order: DeviceChoice[] = providerOrder(platform, arch)
  return DEVICE_CHOICES.filter((device) => device === 'auto' || order.includes(device)).map((device) =>
    device === 'auto' || device === 'cpu' || !noGpu ? { device } : { device, unavailable: noGpu },
  )
}

/** The providers to try for a request, in order. A specific request is tried alone: no silent fallback. */
export function providersFor(request: DeviceRequest, platform: NodeJS.Platform, arch: string): Provider[] {
  const order = providerOrder(platform, arch)
  if (request === 'auto') return order
  if (!order.includes(request)) {
    throw new EnhanceError(
      'DEVICE_UNAVAILABLE',
      `The ${request.toUpperCase()} device is not available on ${platform}/${arch}.`,
    )
  }
  return [request]
}

export function isDeviceRequest(value: string): value is DeviceRequest {
  return (DEVICE_CHOICES as readonly string[]).includes(value)
}
