import { freemem, totalmem } from 'node:os'

/** The memory this process may use, and whether a container (a cgroup's limit) or the computer sets it. */
export interface MemoryLimit {
  bytes: number
  container: boolean
}

/**
 * The computer's memory, or a container's limit where that is lower (Docker's `--memory`, a Kubernetes pod's limit): a
 * budget taken from the computer's would be killed by the system past the container's, after minutes of work. libuv
 * reads cgroup v1 and v2 limits; an unlimited cgroup reports a huge number, no limit 0.
 */
export function memoryLimit(): MemoryLimit {
  const computer = totalmem()
  const container = process.constrainedMemory?.() ?? 0
  return container > 0 && container < computer
    ? { bytes: container, container: true }
    : { bytes: computer, container: false }
}

/** Memory free for this process now: within a container's limit, what it has not used (Node 22 knows; Node 20 guesses). */
export function freeMemory(): number {
  const available = (process as { availableMemory?: () => number }).availableMemory
  return available ? available.call(process) : Math.min(freemem(), memoryLimit().bytes)
}

/** The limit in words, for a refusal: "this computer's 24.0 GB", or "the 512 MB its container allows". */
export function memoryWords({ bytes, container }: MemoryLimit): string {
  return container
    ? `the ${bytesInWords(bytes)} its container allows`
    : `this computer's ${bytesInWords(bytes)}`
}

/** An amount of memory as people read it: "15.1 GB", or below a gigabyte "275 MB" (0.3 GB would hide 256 MB from it). */
export function bytesInWords(bytes: number): string {
  return bytes < 2 ** 30 ? `${Math.round(bytes / 2 ** 20)} MB` : `${(bytes / 2 ** 30).toFixed(1)} GB`
}
