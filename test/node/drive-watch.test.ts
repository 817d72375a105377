import { describe, expect, it } from 'vitest'
import { DriveWatch, onHangingDrive } from '../../src/node/drive-watch.js'
import type { DriveWait } from '../../src/shared/drive-wait.js'

const timing = { lookEveryMs: 20, patienceMs: 150 }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** Waits for `done` (a busy machine's timers run late: no fixed sleep is enough). */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 5) {
    if (waited > 5_000) throw new Error('never happened')
    await sleep(5)
  }
}

/** A unit-test seam for `stat`: each folder's looks answer when the test says (or at once when it is not held). */
function drives() {
  const held = new Map<string, Array<(ok: boolean) => void>>()
  const looks: string[] = []
  return {
    looks,
    hold: (folder: string) => held.set(folder, []),
    answer: (folder: string, ok = true) => {
      for (const settle of held.get(folder) ?? []) settle(ok)
      held.delete(folder)
    },
    look: (folder: string): Promise<unknown> => {
      looks.push(folder)
      const waiting = held.get(folder)
      if (!waiting) return Promise.resolve()
      return new Promise((resolve, reject) =>
        waiting.push((ok) => (ok ? resolve(null) : reject(new Error('EIO')))),
      )
    },
  }
}

function record() {
  const told: Array<DriveWait & { answered: boolean }> = []
  return { told, onChange: (wait: DriveWait, answered: boolean) => told.push({ ...wait, answered }) }
}

describe('a drive that hangs', () => {
  it('is told once its look has gone unanswered for the patience, naming the folder and since when, and told at once when it answers', async () => {
    const fake = drives()
    const { told, onChange } = record()
    fake.hold('/nas/Album')
    const started = Date.now()
    const watch = new DriveWatch(['/nas/Album', '/home/me/Enhanced'], onChange, timing, fake.look)
    await sleep(100)
    expect(told).toEqual([])
    await until(() => told.length > 0)
    expect(told).toHaveLength(1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(timing.patienceMs)
    expect(told[0]).toMatchObject({ folder: '/nas/Album', answered: false })
    expect(told[0]!.since).toBeGreaterThanOrEqual(started)
    expect(watch.waiting?.folder).toBe('/nas/Album')
    // A thumbnail of a photo there waits as the photo does; one elsewhere is not held.
    expect(onHangingDrive('/nas/Album/IMG_1.jpg', timing.patienceMs)).toBe(true)
    expect(onHangingDrive('/home/me/Enhanced/IMG_1.jpg', timing.patienceMs)).toBe(false)
    // The other folder was looked at again and again meanwhile; the hung one once.
    expect(fake.looks.filter((f) => f === '/home/me/Enhanced').length).toBeGreaterThan(3)
    expect(fake.looks.filter((f) => f === '/nas/Album')).toHaveLength(1)
    fake.answer('/nas/Album')
    await sleep(1)
    expect(told).toHaveLength(2)
    expect(told[1]).toEqual({ ...told[0], answered: true })
    expect(watch.waiting).toBeNull()
    expect(onHangingDrive('/nas/Album/IMG_1.jpg', timing.patienceMs)).toBe(false)
    watch.stop()
  })

  it('a drive that answers with an error answers: the work itself says what the error is', async () => {
    const fake = drives()
    const { told, onChange } = record()
    fake.hold('/mnt/usb')
    const watch = new DriveWatch(['/mnt/usb'], onChange, timing, fake.look)
    await sleep(60)
    fake.answer('/mnt/usb', false)
    await sleep(250)
    expect(told).toEqual([])
    watch.stop()
  })

  it('a folder has one look pending whoever asks: the next photo waits on the same look, not a new one', async () => {
    const fake = drives()
    fake.hold('/nas/Album')
    const first = record()
    const one = new DriveWatch(['/nas/Album'], first.onChange, timing, fake.look)
    await until(() => first.told.length > 0)
    one.stop()
    const second = record()
    const two = new DriveWatch(['/nas/Album'], second.onChange, timing, fake.look)
    await until(() => second.told.length > 0)
    // Its look was already unanswered long enough: told at its first turn, since the look's start.
    expect(second.told).toEqual([{ ...first.told[0], answered: false }])
    expect(fake.looks).toEqual(['/nas/Album'])
    fake.answer('/nas/Album')
    await sleep(1)
    expect(second.told.at(-1)?.answered).toBe(true)
    expect(first.told).toHaveLength(1) // stopped: told nothing more
    two.stop()
  })

  it('stopped as its work is done, the wait is told over (the drive answered the work); stopped otherwise (a pause), not', async () => {
    const fake = drives()
    fake.hold('/nas/Enhanced')
    const done = record()
    const finished = new DriveWatch(['/nas/Enhanced'], done.onChange, timing, fake.look)
    await until(() => done.told.length > 0)
    finished.stop(true)
    expect(done.told.map((t) => t.answered)).toEqual([false, true])
    const paused = record()
    const stopped = new DriveWatch(['/nas/Enhanced'], paused.onChange, timing, fake.look)
    await until(() => paused.told.length > 0)
    stopped.stop()
    fake.answer('/nas/Enhanced')
    await sleep(50)
    expect(paused.told.map((t) => t.answered)).toEqual([false])
  })
})
