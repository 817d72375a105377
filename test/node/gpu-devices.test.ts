import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { linuxGpuDeviceNodes, noGpuReason } from '../../src/node/gpu-devices.js'

/** A /dev with the given entries (files stand in for device nodes: only names are read). */
function devWith(...entries: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'enhance-dev-'))
  for (const entry of entries) {
    mkdirSync(join(dir, entry, '..'), { recursive: true })
    writeFileSync(join(dir, entry), '')
  }
  return dir
}

describe('GPU device nodes', () => {
  it('finds render nodes, NVIDIA devices and WSL2’s GPU, and nothing else', () => {
    const dev = devWith(
      'dri/card0',
      'dri/renderD128',
      'dri/renderD129',
      'nvidia0',
      'nvidiactl',
      'nvidia-modeset',
      'dxg',
      'null',
      'tty0',
    )
    expect(linuxGpuDeviceNodes(dev)).toEqual(
      ['dri/renderD128', 'dri/renderD129', 'dxg', 'nvidia0', 'nvidiactl'].map((n) => join(dev, n)).sort(),
    )
    expect(linuxGpuDeviceNodes(devWith('null', 'dri/card0'))).toEqual([])
    expect(linuxGpuDeviceNodes(join(tmpdir(), 'no-such-dev'))).toEqual([])
  })

  it('says why accelerators need no probe on a Linux machine without any, and only there', () => {
    const bare = devWith('null', 'tty0', 'dri/card0')
    expect(noGpuReason('linux', bare)).toBe(
      `this machine has no GPU (no ${bare}/dri render node, NVIDIA device or ${bare}/dxg)`,
    )
    for (const node of ['dri/renderD128', 'nvidia0', 'dxg'])
      expect(noGpuReason('linux', devWith(node))).toBeNull()
    expect(noGpuReason('win32', bare)).toBeNull()
    expect(noGpuReason('darwin', bare)).toBeNull()
  })
})
