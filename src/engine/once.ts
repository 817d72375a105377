/** The promise for `key`, made once; a failed one is forgotten, so the next call tries again. */
export function once<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let pending = cache.get(key)
  if (!pending) {
    pending = make()
    pending.catch(() => cache.delete(key))
    cache.set(key, pending)
  }
  return pending
}
