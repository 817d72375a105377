import { execFileSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statfsSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import type { BatchEvent } from '../../src/cli/report.js'
import { EngineClient, forkEngine } from '../../src/engine/client.js'
import { WORKER, writeIdentityModel } from '../helpers/models.js'
import { albumJob, queuedItem, queuedJob } from '../helpers/queue.js'
import { QueueStore } from '../../src/queue/store.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-faults-'))
const model = writeIdentityModel(work)

async function album(name: string, count: number, size = 32): Promise<string> {
  const dir = join(work, name)
  mkdirSync(dir, { recursive: true })
  for (let i = 0; i < count; i++) {
    const noise = Buffer.from(
      Array.from({ length: size * size * 3 }, (_, k) => (k * 2654435761 + i * 7919) >>> 24),
    )
    await sharp(noise, { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toFile(join(dir, `p${i}.png`))
  }
  return dir
}

/** An engine hook that does `action` while the album's first photo (p0.png) is being enhanced. */
function duringFirstPhoto(action: () => void): (engine: EngineClient) => void {
  return (engine) => {
    const original = engine.enhance.bind(engine)
    engine.enhance = (request, options) => {
      if (request.input.endsWith('p0.png')) action()
      return original(request, options)
    }
  }
}

async function run(
  argv: string[],
  onEngine?: (engine: EngineClient) => void,
  workerPath = WORKER,
): Promise<{ status: number; events: BatchEvent[]; out: string }> {
  let out = ''
  const status = await main(
    ['--model', model, '--json', '--device', 'cpu', '--tile', '16', '--format', 'png', ...argv],
    { out: (t) => (out += `${t}\n`), err: (t) => (out += `${t}\n`) },
    {
      engine: () => {
        const engine = new EngineClient(() => forkEngine({ workerPath, env: { ENHANCE_DEVICE: 'cpu' } }))
        onEngine?.(engine)
        return engine
      },
    },
  )
  const events = out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as BatchEvent)
  return { status, events, out }
}

const mounted: string[] = []
const loopDevices: string[] = []
afterAll(() => {
  for (const dir of mounted) execFileSync('umount', [dir])
  for (const device of loopDevices) execFileSync('losetup', ['-d', device])
})

/** A 64 KiB drive of its own (a tmpfs) at `name`, or null, saying the test is skipped, where none can be mounted. */
function tinyDisk(name: string): string | null {
  const dir = join(work, name)
  mkdirSync(dir, { recursive: true })
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' })
    mounted.push(dir)
    return dir
  } catch {
    console.log('skipped: cannot mount a tmpfs here (needs root and mount rights)')
    return null
  }
}

/**
 * A 16 MiB exFAT drive (a USB stick's or a camera card's file system: it ignores case) at `name`, or null, saying the
 * test is skipped, where none can be mounted (needs root, a loop device, exfatprogs and exfat-fuse).
 */
function exfatStick(name: string): string | null {
  const dir = join(work, name)
  const image = join(work, `${name}.img`)
  mkdirSync(dir, { recursive: true })
  try {
    execFileSync('truncate', ['-s', '16M', image])
    execFileSync('mkfs.exfat', [image], { stdio: 'ignore' })
    const device = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim()
    loopDevices.push(device)
    execFileSync('mount.exfat-fuse', [device, dir], { stdio: 'ignore' })
    mounted.push(dir)
    return dir
  } catch {
    console.log(
      'skipped: cannot mount an exFAT drive here (needs root, a loop device, exfatprogs and exfat-fuse)',
    )
    return null
  }
}

/** Fills `disk` up to `leftBytes` free (a file `filler`, to remove for room again). */
function fillUp(disk: string, leftBytes: number): void {
  const { bavail, bsize } = statfsSync(disk)
  writeFileSync(join(disk, 'filler'), Buffer.alloc(Math.max(0, bavail * bsize - leftBytes)))
}

/** An 8×8 photo of one colour: which photo a result came from shows in its pixels. */
const flat = (colour: string) => sharp({ create: { width: 8, height: 8, channels: 3, background: colour } })

describe('queue faults, each handled as specified', () => {
  it('an output folder that cannot be made pauses the job with its reason; nothing is lost', async () => {
    const input = await album('unwritable', 2)
    // The output drive is not plugged in: its mount point is a link to a folder that is not there.
    const drive = join(work, 'unplugged-drive')
    symlinkSync(drive, join(work, 'drive'))
    const queue = join(work, 'q-unwritable')
    const first = await run([input, '--out', join(work, 'drive', 'out'), '--queue-dir', queue])
    expect(first.status).toBe(1)
    expect(first.events.find((e) => e.event === 'paused')).toMatchObject({
      code: 'OUTPUT_NOT_WRITABLE',
      message: `Cannot create ${join(work, 'drive', 'out')} (ENOENT): check that its drive is connected and you may write there.`,
    })
    expect(first.events.at(-1)).toMatchObject({ done: 0, failed: 0, pending: 2 })
    const listing = await run(['queue', '--queue-dir', queue])
    expect((JSON.parse(listing.out) as unknown[])[0]).toMatchObject({
      state: 'paused',
      pauseReason: { code: 'OUTPUT_NOT_WRITABLE' },
    })
    mkdirSync(drive)
    const resumed = await run(['--resume', '--queue-dir', queue])
    expect(resumed.status).toBe(0)
    expect(resumed.events.at(-1)).toMatchObject({ done: 2, pending: 0 })
    expect(readdirSync(join(drive, 'out')).sort()).toEqual(['p0.png', 'p1.png'])
  })

  it('an --out that cannot be a folder (a file, or under one) is refused before any work, and nothing is queued', async () => {
    const input = await album('typo', 1)
    const file = join(input, 'p0.png')
    const queue = join(work, 'q-typo')
    const refusals = []
    for (const out of [file, join(file, 'sub')]) {
      const { status, out: printed } = await run([input, '--out', out, '--queue-dir', queue])
      refusals.push({ status, printed: printed.trim() })
    }
    expect(refusals).toEqual([
      {
        status: 1,
        printed: `error INVALID_ARGUMENT: --out ${file} is not a folder. Name a folder for the enhanced photos (it is made if missing).`,
      },
      {
        status: 1,
        printed: `error INVALID_ARGUMENT: --out ${join(file, 'sub')} cannot be a folder: a folder above it is a file. Name a folder for the enhanced photos (it is made if missing).`,
      },
    ])
    const listing = await run(['queue', '--queue-dir', queue])
    expect(JSON.parse(listing.out)).toEqual([])
    expect(readdirSync(input)).toEqual(['p0.png'])
    // So is a queue folder that cannot be one, for a new job, --resume and the listing alike.
    const queueRefusals = []
    for (const argv of [[input, '--out', join(work, 'typo-out')], ['--resume'], ['queue']]) {
      const { status, out: printed } = await run([...argv, '--queue-dir', file])
      queueRefusals.push(`${status} ${printed.trim()}`)
    }
    const refusal = `1 error INVALID_ARGUMENT: The queue folder ${file} (--queue-dir) is not a folder. Name a folder for the queue (it is made if missing).`
    expect(queueRefusals).toEqual([refusal, refusal, refusal])
  })

  it('an output folder that became a file after the job was queued pauses the job, saying so', async () => {
    const input = await album('replaced', 1)
    const out = join(work, 'replaced-out')
    const queue = join(work, 'q-replaced')
    // The folder is swapped for a file between planning and writing: when the engine is asked for.
    const first = await run([input, '--out', out, '--queue-dir', queue], () => writeFileSync(out, 'x'))
    expect(first.events.find((e) => e.event === 'paused')).toMatchObject({
      code: 'OUTPUT_NOT_WRITABLE',
      message: `${out} is not a folder. Choose another output folder.`,
    })
    expect(first.events.at(-1)).toMatchObject({ done: 0, failed: 0, pending: 1 })
  })

  it.runIf(process.getuid?.() === 0)(
    'a full disk (a 64 KiB tmpfs) pauses the job; resumed with room, the rest completes',
    async () => {
      const disk = tinyDisk('tiny-disk')
      if (!disk) return
      // Enough noise that the PNGs outgrow the disk however well they compress.
      const input = await album('big-photos', 4, 192)
      const queue = join(work, 'q-full')
      const first = await run([input, '--out', join(disk, 'out'), '--queue-dir', queue])
      const paused = first.events.find((e) => e.event === 'paused')
      expect(paused).toMatchObject({ code: 'DISK_FULL' })
      const summary = first.events.at(-1) as Extract<BatchEvent, { event: 'summary' }>
      expect(summary.failed).toBe(0)
      expect(summary.done + summary.pending).toBe(4)
      expect(readdirSync(join(disk, 'out')).filter((f) => f.includes('.partial'))).toEqual([])
      execFileSync('mount', ['-o', 'remount,size=16m', disk])
      const resumed = await run(['--resume', '--queue-dir', queue])
      expect(resumed.status).toBe(0)
      expect(readdirSync(join(disk, 'out')).sort()).toEqual(['p0.png', 'p1.png', 'p2.png', 'p3.png'])
    },
  )

  it.runIf(process.getuid?.() === 0)(
    'photos on a read-only drive (a photo CD, a locked SD card) are refused before anything is queued, saying to name --out',
    async () => {
      const disk = tinyDisk('photo-cd-drive')
      if (!disk) return
      const photos = await album('photo-cd', 2)
      execFileSync('cp', ['-r', photos, join(disk, 'PICTURES')])
      execFileSync('mount', ['-o', 'remount,ro', disk])
      const queue = join(work, 'q-photo-cd')
      const beside = await run([join(disk, 'PICTURES'), '--queue-dir', queue])
      expect([beside.status, beside.out.trim()]).toEqual([
        1,
        `error OUTPUT_NOT_WRITABLE: The folder for the enhanced photos, ${join(disk, 'PICTURES', 'Enhanced')}, is on a read-only drive (a CD or DVD, a locked SD card, or a share mounted read-only). Name a folder for the enhanced photos with --out (it is made if missing).`,
      ])
      const named = await run([join(disk, 'PICTURES'), '--out', join(disk, 'out'), '--queue-dir', queue])
      expect(named.out).toContain(
        `error OUTPUT_NOT_WRITABLE: --out ${join(disk, 'out')} is on a read-only drive`,
      )
      // Nothing was queued to wait for a drive that will never take it.
      expect(JSON.parse((await run(['queue', '--queue-dir', queue])).out)).toEqual([])
      const elsewhere = await run([
        join(disk, 'PICTURES'),
        '--out',
        join(work, 'from-cd'),
        '--queue-dir',
        queue,
      ])
      expect([elsewhere.status, readdirSync(join(work, 'from-cd')).sort()]).toEqual([0, ['p0.png', 'p1.png']])
    },
  )

  it('an engine that cannot start pauses the job instead of failing every photo; resumed, the rest completes', async () => {
    const input = await album('no-engine', 3)
    const queue = join(work, 'q-no-engine')
    // A worker that dies as it loads, as one whose native libraries are missing would.
    const broken = join(work, 'broken-worker.mjs')
    writeFileSync(broken, 'process.exit(3)\n')
    const first = await run(
      [input, '--out', join(work, 'out-no-engine'), '--queue-dir', queue],
      undefined,
      broken,
    )
    expect(first.events.filter((e) => e.event === 'failed')).toEqual([])
    expect(first.events.find((e) => e.event === 'paused')).toMatchObject({
      code: 'ENGINE_NOT_STARTED',
      message: 'The inference engine could not start (exit 3); if it keeps failing, reinstall Enhance.',
    })
    expect(first.events.at(-1)).toMatchObject({ done: 0, failed: 0, pending: 3 })
    const resumed = await run(['--resume', '--queue-dir', queue])
    expect(resumed.status).toBe(0)
    expect(readdirSync(join(work, 'out-no-engine')).sort()).toEqual(['p0.png', 'p1.png', 'p2.png'])
  })

  it('a photo whose mirrored output path is past the system limit fails with PATH_TOO_LONG; the job goes on', async () => {
    const input = join(work, 'deep-album')
    let deep = input
    for (let i = 0; i < 12; i++) deep = join(deep, `${'d'.repeat(240)}${i}`)
    mkdirSync(deep, { recursive: true })
    await sharp(Buffer.alloc(8 * 8 * 3, 90), { raw: { width: 8, height: 8, channels: 3 } })
      .png()
      .toFile(join(deep, 'far.png'))
    mkdirSync(join(input, 'near'))
    await sharp(Buffer.alloc(8 * 8 * 3, 90), { raw: { width: 8, height: 8, channels: 3 } })
      .png()
      .toFile(join(input, 'near', 'close.png'))
    let out = join(work, 'out-deep')
    for (let i = 0; i < 6; i++) out = join(out, `${'o'.repeat(240)}${i}`)
    const { events } = await run([input, '--recursive', '--out', out, '--queue-dir', join(work, 'q-deep')])
    const failed = events.find((e) => e.event === 'failed')
    expect(failed).toMatchObject({ code: 'PATH_TOO_LONG', item: join(deep, 'far.png') })
    expect(events.some((e) => e.event === 'paused')).toBe(false)
    expect(events.at(-1)).toMatchObject({ done: 1, failed: 1 })
    const written = await sharp(join(out, 'near', 'close.png'))
      .raw()
      .toBuffer({ resolveWithObject: true })
    expect([written.info.width, written.info.height, written.data[0]]).toEqual([32, 32, 90])
    expect(readdirSync(out).sort()).toEqual(['near'])
  })

  it('a file deleted while queued fails with FILE_NOT_FOUND and the others complete', async () => {
    const input = await album('vanishing', 3)
    const { events } = await run(
      [input, '--out', join(work, 'out-vanishing'), '--queue-dir', join(work, 'q-vanish')],
      duringFirstPhoto(() => rmSync(join(input, 'p1.png'))),
    )
    expect(events.find((e) => e.event === 'failed')).toMatchObject({ code: 'FILE_NOT_FOUND' })
    expect(events.at(-1)).toMatchObject({ done: 2, failed: 1 })
  })

  it.each([
    ['an album whose folder went away (moved, its drive unplugged)', 'album-on-drive', false],
    ['an album of links to photos on a drive that is unplugged', 'linked-drive', true],
  ])('%s pauses the job; put back, it completes', async (_, name, linked) => {
    const drive = await album(name, 3)
    const input = linked ? join(work, `${name}-links`) : drive
    if (linked) {
      mkdirSync(input)
      for (const photo of ['p0.png', 'p1.png', 'p2.png']) symlinkSync(join(drive, photo), join(input, photo))
    }
    const away = join(work, `${name}-away`)
    const out = join(work, `${name}-out`)
    const queue = join(work, `${name}-queue`)
    const first = await run(
      [input, '--out', out, '--queue-dir', queue],
      duringFirstPhoto(() => renameSync(drive, away)),
    )
    expect(first.status).toBe(1)
    // The folder named is the one the photos are in: a link's, the one it points into.
    expect(first.events.find((e) => e.event === 'paused')).toEqual({
      event: 'paused',
      job: expect.any(String) as string,
      code: 'INPUT_UNAVAILABLE',
      message: `The folder ${drive} is not there now: it was moved or renamed, or its drive was disconnected. Put it back or reconnect the drive.`,
    })
    // No photo is failed for it, and none after it is tried.
    expect(first.events.filter((e) => e.event === 'failed')).toEqual([])
    expect(first.events.at(-1)).toMatchObject({ done: 0, failed: 0, pending: 3 })
    renameSync(away, drive)
    const resumed = await run(['--resume', '--queue-dir', queue])
    expect(resumed.status).toBe(0)
    expect(resumed.events.at(-1)).toMatchObject({ done: 3, failed: 0, pending: 0 })
    expect(readdirSync(out).sort()).toEqual(['p0.png', 'p1.png', 'p2.png'])
  })

  it('two inputs that map to one output get distinct names, decided before the job starts', async () => {
    const dir = join(work, 'collide')
    mkdirSync(dir, { recursive: true })
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ff0000' } })
      .jpeg()
      .toFile(join(dir, 'a.jpg'))
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0000ff' } })
      .webp()
      .toFile(join(dir, 'a.webp'))
    const out = join(work, 'out-collide')
    const { events } = await run([dir, '--out', out, '--queue-dir', join(work, 'q-collide')])
    expect(events.at(-1)).toMatchObject({ done: 2 })
    expect(readdirSync(out).sort()).toEqual(['a.png', 'a_2.png'])
  })

  it.runIf(process.getuid?.() === 0)(
    'on an exFAT drive, which ignores case: IMG_1 and img_1 keep a result each, no photo is replaced even with --overwrite, and a folder named Trip: Rome? is mirrored',
    async () => {
      const stick = exfatStick('usb-stick')
      if (!stick) return
      const photos = join(work, 'case-only')
      mkdirSync(photos)
      await flat('#ff0000').png().toFile(join(photos, 'IMG_1.png'))
      await flat('#0000ff').png().toFile(join(photos, 'img_1.png'))
      const onStick = await run([photos, '--out', join(stick, 'out'), '--queue-dir', join(work, 'q-stick')])
      expect(onStick.events.at(-1)).toMatchObject({ done: 2, failed: 0 })
      const results = readdirSync(join(stick, 'out')).sort()
      expect(results).toHaveLength(2)
      const reds = await Promise.all(
        results.map(
          async (f) =>
            (
              await sharp(join(stick, 'out', f))
                .raw()
                .toBuffer()
            )[0],
        ),
      )
      expect(reds.sort()).toEqual([0, 255])

      // A folder named as a Mac or Linux allows and the stick does not: mirrored under a name it takes.
      mkdirSync(join(photos, 'Trip: Rome?'))
      await flat('#ff0000')
        .png()
        .toFile(join(photos, 'Trip: Rome?', 'day-1.png'))
      const mirrored = await run([
        photos,
        '--recursive',
        '--out',
        join(stick, 'mirrored'),
        '--queue-dir',
        join(work, 'q-stick-3'),
      ])
      expect(mirrored.events.at(-1)).toMatchObject({ done: 3, failed: 0, pending: 0 })
      expect(readdirSync(join(stick, 'mirrored', 'Trip_ Rome_'))).toEqual(['day-1.png'])

      // An album on the stick enhanced into its own folder: photo.jpg's result must not become Photo.PNG.
      const album = join(stick, 'album')
      mkdirSync(album)
      await flat('#00ff00').png().toFile(join(album, 'Photo.PNG'))
      await flat('#ff0000').jpeg().toFile(join(album, 'photo.jpg'))
      const before = readFileSync(join(album, 'Photo.PNG'))
      const inPlace = await run([
        album,
        '--out',
        album,
        '--overwrite',
        '--queue-dir',
        join(work, 'q-stick-2'),
      ])
      expect(inPlace.events.at(-1)).toMatchObject({ done: 2, failed: 0 })
      expect(readFileSync(join(album, 'Photo.PNG'))).toEqual(before)
      expect(readdirSync(album).length).toBe(4)
    },
  )

  it.runIf(process.getuid?.() === 0)(
    'a full disk under the queue: each change is whole or not there, the snapshot is never cut short, and nothing recorded is lost',
    () => {
      const disk = tinyDisk('queue-disk')
      if (!disk) return
      const dir = join(disk, 'queue')
      const { spec } = albumJob([])
      const job = queuedJob(spec)
      const item = (n: number) => queuedItem(job, n)
      // Compaction comes once the disk is nearly full, when its snapshot no longer fits.
      const store = new QueueStore(dir, 70)
      store.commit({ t: 'job', job })
      for (let n = 0; n < 60; n++) store.commit({ t: 'items', items: [item(n)] })
      fillUp(disk, 8192)
      let recorded = 60
      let refusal: unknown = null
      for (let n = 60; n < 1000 && !refusal; n++) {
        try {
          store.commit({ t: 'items', items: [item(n)] })
          recorded++
        } catch (error) {
          refusal = error
        }
      }
      expect(refusal).toMatchObject({ code: 'DISK_FULL' })
      expect((refusal as Error).message).toContain(dir)
      store.close()
      expect(readFileSync(join(dir, 'queue.journal'), 'utf8').endsWith('\n')).toBe(true)
      const reloaded = new QueueStore(dir)
      expect([reloaded.loadProblems, reloaded.recoveredTornTail]).toEqual([
        { skippedEntries: 0, snapshotSetAside: false, outputsOutsideJob: 0 },
        false,
      ])
      expect(reloaded.state.itemsOf(job.id)).toHaveLength(recorded)
      expect(readdirSync(dir).sort()).toEqual(['queue.journal'])
      reloaded.close()
    },
  )

  it.runIf(process.getuid?.() === 0)(
    'a full disk under the queue pauses the job saying so; with room again, --resume finishes every photo once',
    async () => {
      const disk = tinyDisk('queue-disk-2')
      if (!disk) return
      const input = await album('queue-on-full-disk', 20, 16)
      const queue = join(disk, 'queue')
      const out = join(work, 'out-queue-full')
      // The disk fills up while the first photo is enhanced (by something else: a download, a backup).
      const first = await run(
        [input, '--out', out, '--queue-dir', queue],
        duringFirstPhoto(() => fillUp(disk, 0)),
      )
      expect(first.status).toBe(1)
      expect(first.events.find((e) => e.event === 'paused')).toMatchObject({
        code: 'DISK_FULL',
        message: expect.stringContaining(`The disk holding the queue, ${queue}, is full`) as unknown,
      })
      const summary = first.events.at(-1) as Extract<BatchEvent, { event: 'summary' }>
      expect(summary.done).toBeLessThan(20)
      rmSync(join(disk, 'filler'))
      const resumed = await run(['--resume', '--queue-dir', queue])
      expect(resumed.status).toBe(0)
      expect(readdirSync(out)).toHaveLength(20)
      const listing = JSON.parse((await run(['queue', '--queue-dir', queue])).out) as { state: string }[]
      expect(listing.map((j) => j.state)).toEqual(['done'])
    },
  )
})
