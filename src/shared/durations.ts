/** A time to come, no more precise than an estimate is: "about 40 s", "about 12 min", "about 2 h 10 min". */
export function roughly(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `about ${Math.max(1, seconds)} s`
  const minutes = Math.round(ms / 60_000)
  if (minutes < 60) return `about ${minutes} min`
  return `about ${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`
}

/**
 * Photos' time left (`ms`, of which `inFlightMs` is the photo being enhanced, counted whole) with that photo's own time
 * left from its tiles (`photoMs`) in place of its share, where known: it then goes down with every tile.
 */
export function withPhotoLeft(left: { ms: number; inFlightMs: number }, photoMs: number | null): number {
  return photoMs === null ? left.ms : Math.max(0, left.ms - left.inFlightMs) + photoMs
}
