/**
 * The engine process's environment. On Linux, glibc's allocator is asked to back ONNX Runtime's large
 * arena blocks with transparent huge pages (where the kernel offers them on request): the activation maps
 * of one tile run to hundreds of MB, and on the 2-core dev machine a 224² tile's first run took 0.9–1.0 s
 * instead of 1.3–1.5 s and later runs 436–470 ms instead of 460–514 ms. A value the user set is kept.
 */
export function engineEnv(
  base: NodeJS.ProcessEnv,
  extra: Record<string, string> = {},
  platform: NodeJS.Platform = process.platform,
): NodeJS.ProcessEnv {
  const env = { ...base, ...extra }
  if (platform !== 'linux') return env
  const tunables = env['GLIBC_TUNABLES']
  if (tunables?.includes('glibc.malloc.hugetlb=')) return env
  env['GLIBC_TUNABLES'] = tunables ? `${tunables}:glibc.malloc.hugetlb=1` : 'glibc.malloc.hugetlb=1'
  return env
}
