/**
 * Sends each job's view once per burst of its items' changes. A job's counts are its items', so each photo's
 * change makes its job's view due ("3 of 8 enhanced", its bar, the taskbar); a whole album's realism changed at
 * once is thousands of item changes in one go, and one view of each job after them, built when it is sent.
 */
export function jobViewBatcher(send: (jobId: string) => void): (jobId: string) => void {
  const due = new Set<string>()
  return (jobId) => {
    if (due.size === 0)
      queueMicrotask(() => {
        const ids = [...due]
        due.clear()
        for (const id of ids) send(id)
      })
    due.add(jobId)
  }
}
