import { readFile } from 'node:fs/promises'
import { writeFileAtomic } from '../node/files.js'

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

/** Where the window was when it last closed: its normal (not maximised) bounds, and whether it was maximised. */
export interface WindowState {
  bounds: Rect
  maximized: boolean
}

export const MIN_SIZE = { width: 640, height: 480 }
const FIRST_SIZE = { width: 1280, height: 820 }

/** The saved state, or null for none or a file that is not one (the window then opens as the first time). */
export async function readWindowState(file: string): Promise<WindowState | null> {
  try {
    const state = JSON.parse(await readFile(file, 'utf8')) as WindowState
    const { x, y, width, height } = state.bounds
    return [x, y, width, height].every(Number.isFinite) && typeof state.maximized === 'boolean'
      ? { bounds: { x, y, width, height }, maximized: state.maximized }
      : null
  } catch {
    return null
  }
}

export function saveWindowState(file: string, state: WindowState): Promise<void> {
  return writeFileAtomic(file, new TextEncoder().encode(JSON.stringify(state)))
}

const inside = (area: Rect, x: number, y: number): boolean =>
  x >= area.x && x < area.x + area.width && y >= area.y && y < area.y + area.height

/**
 * Where the window opens: where it was, at its size (no smaller than the views need, no larger than the
 * largest screen), unless the middle of its title bar is on no screen now (a monitor unplugged): then at
 * its size, placed by the system.
 */
export function placement(
  state: WindowState | null,
  workAreas: readonly Rect[],
): { bounds: Partial<Rect> & { width: number; height: number }; maximized: boolean } {
  if (!state) return { bounds: { ...FIRST_SIZE }, maximized: false }
  const largest = {
    width: Math.max(MIN_SIZE.width, ...workAreas.map((a) => a.width)),
    height: Math.max(MIN_SIZE.height, ...workAreas.map((a) => a.height)),
  }
  const width = Math.min(Math.max(state.bounds.width, MIN_SIZE.width), largest.width)
  const height = Math.min(Math.max(state.bounds.height, MIN_SIZE.height), largest.height)
  const { x, y } = state.bounds
  const seen = workAreas.some((area) => inside(area, x + width / 2, y + 16))
  return { bounds: seen ? { x, y, width, height } : { width, height }, maximized: state.maximized }
}
