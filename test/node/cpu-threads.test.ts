import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cgroupCpuLimit, inferenceThreads, linuxPhysicalCores } from '../../src/node/cpu-threads.js'

function sysfs(siblings: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'enhance-cpu-'))
  siblings.forEach((list, cpu) => {
    mkdirSync(join(dir, `cpu${cpu}`, 'topology'), { recursive: true })
    writeFileSync(join(dir, `cpu${cpu}`, 'topology', 'thread_siblings_list'), `${list}\n`)
  })
  mkdirSync(join(dir, 'cpufreq')) // other entries of the folder are not CPUs
  return dir
}

describe('inference threads', () => {
  it('counts physical cores, not hardware threads', () => {
    expect(linuxPhysicalCores(sysfs(['0,4', '1,5', '2,6', '3,7', '0,4', '1,5', '2,6', '3,7']))).toBe(4)
    expect(linuxPhysicalCores(sysfs(['0', '1']))).toBe(2)
  })

  it('leaves the choice to ONNX Runtime where the topology cannot be read', () => {
    expect(linuxPhysicalCores(join(tmpdir(), 'no-such-sysfs'))).toBeNull()
  })

  it("keeps within a container's CPU quota", () => {
    const file = (text: string): string => {
      const path = join(mkdtempSync(join(tmpdir(), 'enhance-cg-')), 'cpu.max')
      writeFileSync(path, text)
      return path
    }
    expect(cgroupCpuLimit(file('200000 100000\n'))).toBe(2)
    expect(cgroupCpuLimit(file('150000 100000\n'))).toBe(2)
    expect(cgroupCpuLimit(file('max 100000\n'))).toBeNull()
    expect(cgroupCpuLimit(join(tmpdir(), 'no-such-cpu.max'))).toBeNull()
  })

  it('never asks for more threads than the process may use', () => {
    const threads = inferenceThreads()
    expect(threads).toBeLessThanOrEqual(availableParallelism())
    if (process.platform === 'linux') expect(threads).toBeGreaterThan(0)
  })
})
