import { isTextEntry } from './paste.js'

/** The item `step` places from the one with `id` in `list` (−1: before it), or undefined past either end. */
export function stepped<T extends { id: string }>(
  list: readonly T[],
  id: string,
  step: -1 | 1,
): T | undefined {
  const at = list.findIndex((item) => item.id === id)
  return at < 0 ? undefined : list[at + step]
}

/**
 * −1 for ←, 1 for → where an arrow key moves nothing else: not in a field, a picker, a slider or a form being filled
 * in, not taken by a control of its own (a region's arrows), and without a modifier (Alt+← is the browser's Back).
 */
export function stepKey(event: KeyboardEvent): -1 | 0 | 1 {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return 0
  const target = event.target
  if (isTextEntry(target) || target instanceof HTMLInputElement || target instanceof HTMLSelectElement)
    return 0
  if (target instanceof Element && target.closest('form')) return 0
  return event.key === 'ArrowLeft' ? -1 : event.key === 'ArrowRight' ? 1 : 0
}
