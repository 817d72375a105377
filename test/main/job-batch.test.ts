import { describe, expect, it } from 'vitest'
import { jobViewBatcher } from '../../src/main/services/job-batch.js'

describe("a job's view after its items' changes", () => {
  it('goes once per job for a burst, after it, and again for the next burst', async () => {
    const sent: string[] = []
    const due = jobViewBatcher((jobId) => sent.push(jobId))
    // A 10,000-photo album's realism changed at once: an item change each, and one more job's photo.
    for (let i = 0; i < 10_000; i++) due('album')
    due('other')
    expect(sent).toEqual([])
    await Promise.resolve()
    expect(sent).toEqual(['album', 'other'])
    due('album')
    await Promise.resolve()
    expect(sent).toEqual(['album', 'other', 'album'])
  })
})
