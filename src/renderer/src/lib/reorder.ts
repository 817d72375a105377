/**
 * Where a dragged card lands: the number of the other cards whose middle is above the pointer.
 * `middles` are the cards' vertical centres in their current order, the dragged one included.
 */
export function dropIndex(pointerY: number, middles: number[], from: number): number {
  return middles.filter((middle, index) => index !== from && middle < pointerY).length
}

/** The list with the element at `from` moved to `to`. */
export function moved<T>(list: readonly T[], from: number, to: number): T[] {
  const copy = [...list]
  const [element] = copy.splice(from, 1)
  copy.splice(Math.max(0, Math.min(copy.length, to)), 0, element!)
  return copy
}
