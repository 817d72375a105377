import { readdirSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'

const CPU_DIR = '/sys/devices/system/cpu'

/**
 * Physical cores on Linux, from the kernel's topology (one `thread_siblings_list` per core); null where
 * it can't be read. ONNX Runtime sizes its pool by physical cores but its own detection falls back to
 * half the logical CPUs on some VMs: on this 2-core machine it ran one thread (1.7× slower per tile).
 */
export function linuxPhysicalCores(cpuDir = CPU_DIR): number | null {
  try {
    const cores = new Set<string>()
    for (const name of readdirSync(cpuDir)) {
      if (!/^cpu\d+$/.test(name)) continue
      cores.add(readFileSync(`${cpuDir}/${name}/topology/thread_siblings_list`, 'utf8').trim())
    }
    return cores.size || null
  } catch {
    return null
  }
}

/**
 * The CPUs a cgroup v2 quota allows (`cpu.max`: "<quota> <period>", or "max"), rounded up; null where
 * there is none. A Kubernetes pod limited to 2 CPUs still sees every core of its node in sysfs.
 */
export function cgroupCpuLimit(file = '/sys/fs/cgroup/cpu.max'): number | null {
  try {
    const [quota, period] = readFileSync(file, 'utf8').trim().split(/\s+/)
    const cpus = Number(quota) / Number(period)
    return Number.isFinite(cpus) && cpus > 0 ? Math.ceil(cpus) : null
  } catch {
    return null
  }
}

/**
 * Intra-op threads for the CPU provider: one per physical core this process may use (sibling hardware
 * threads share one core's vector units and add nothing to convolutions), within its CPU affinity and
 * cgroup quota; 0 lets ONNX Runtime choose where the topology is unknown (macOS and Windows, where its
 * own detection is reliable).
 */
export function inferenceThreads(): number {
  const physical = process.platform === 'linux' ? linuxPhysicalCores() : null
  if (!physical) return 0
  return Math.min(physical, availableParallelism(), cgroupCpuLimit() ?? Infinity)
}
