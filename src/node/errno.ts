/** The `code` of a failed system call (ENOENT, ENOSPC, …), or undefined for any other error. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code
  return typeof code === 'string' ? code : undefined
}

/** Whether a write failed because the disk (or the user's quota on it) is full. */
export function isDiskFull(error: unknown): boolean {
  const code = errnoCode(error)
  return code === 'ENOSPC' || code === 'EDQUOT'
}
