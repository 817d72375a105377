import { readdirSync } from 'node:fs'

/**
 * The device nodes through which Linux reaches a GPU: a DRM render node (Mesa's Vulkan drivers, AMD,
 * Intel, nouveau, virtio-gpu), NVIDIA's own driver, or WSL2's paravirtual GPU. CUDA, Vulkan and so
 * Dawn's WebGPU all need one of them; without any, Dawn can only offer a software adapter (lavapipe,
 * SwiftShader), which runs on the CPU itself, many times slower than ONNX Runtime's CPU provider.
 */
export function linuxGpuDeviceNodes(devDir = '/dev'): string[] {
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir)
    } catch {
      return []
    }
  }
  const render = list(`${devDir}/dri`)
    .filter((name) => name.startsWith('renderD'))
    .map((name) => `${devDir}/dri/${name}`)
  const top = list(devDir)
    .filter((name) => name === 'dxg' || name === 'nvidiactl' || /^nvidia\d+$/.test(name))
    .map((name) => `${devDir}/${name}`)
  return [...render, ...top].sort() // sorted: the machine key hashes them
}

/**
 * Why `auto` need not probe any accelerator on this machine (a clause), or null where one may work: at
 * most a software adapter could open there. Only Linux can tell from its device nodes; elsewhere every
 * accelerator is measured.
 */
export function noGpuReason(platform: NodeJS.Platform = process.platform, devDir = '/dev'): string | null {
  if (platform !== 'linux' || linuxGpuDeviceNodes(devDir).length > 0) return null
  return `this machine has no GPU (no ${devDir}/dri render node, NVIDIA device or ${devDir}/dxg)`
}
