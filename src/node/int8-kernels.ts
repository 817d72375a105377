import { readFileSync } from 'node:fs'

/** The CPU features under which ONNX Runtime sums u8×s8 products in 32 bits (VNNI, AMX). */
const EXACT_X64_FLAGS = ['avx512_vnni', 'avx_vnni', 'amx_int8']

function linuxCpuFlags(): string[] | null {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'))
    return line ? line.split(':')[1]!.trim().split(/\s+/) : null
  } catch {
    return null
  }
}

/**
 * Whether ONNX Runtime's CPU int8 kernels compute exactly here. On x86-64 without VNNI they multiply
 * uint8 by int8 with VPMADDUBSW, which adds each pair of products into 16 bits and saturates (ONNX
 * Runtime's quantisation guide): on an AVX2 EPYC, 8,579 of 9,216 outputs of the int8 fixture network
 * moved, by up to 80 levels. Arm's dot-product kernels and VNNI/AMX sum in 32 bits. Where the flags
 * cannot be read (x86-64 off Linux), int8 counts as inexact.
 */
export function int8KernelsExact(
  arch: string = process.arch,
  flags: string[] | null = linuxCpuFlags(),
): boolean {
  if (arch === 'arm64') return true
  return arch === 'x64' && flags !== null && EXACT_X64_FLAGS.some((flag) => flags.includes(flag))
}
