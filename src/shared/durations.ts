/** A time to come, no more precise than an estimate is: "about 40 s", "about 12 min", "about 2 h 10 min". */
export function roughly(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `about ${Math.max(1, seconds)} s`
  const minutes = Math.round(ms / 60_000)
  if (minutes < 60) return `about ${minutes} min`
  return `about ${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`
}
