import { createHash } from 'node:crypto'
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { KEEP_PROGRESS } from '../shared/errors.js'
import { fileVersion, freeBytes, removeStalePartials, writeFileAtomic } from '../node/files.js'
import type { RasterImage } from './image/types.js'
import type { ModelSpecData, Region } from '../shared/protocol.js'

type Size = Pick<RasterImage, 'width' | 'height'>
type Shape = Pick<RasterImage, 'width' | 'height' | 'channels' | 'depth'>

/**
 * How far a photo's tiles have come: its output so far and the tiles still to run. The upscaler keeps it up to
 * date tile by tile, so that a photo stopped part-way (paused, or killed after a checkpoint) can pick up there.
 */
export interface TilesSoFar {
  target: RasterImage | null
  left: Region[] | null
  done: number
  total: number
}

export function freshTiles(): TilesSoFar {
  return { target: null, left: null, done: 0, total: 0 }
}

/** A photo's run: its tiles so far (saved ones, or none), kept now and then while it runs and when it stops. */
export interface PhotoRun {
  soFar: TilesSoFar
  /**
   * After each tile: saves the tiles so far when the last save is long enough ago (a checkpoint), so that a
   * crash, a kill or a power cut loses minutes of a long photo, not all of it. Never waits for the save.
   */
  progressed: () => void
  /**
   * After the photo stopped before its output was written: a cancel drops what was kept (the photo starts
   * afresh), anything else keeps what it added (a pause, an error a retry may get past).
   */
  stopped(signal: AbortSignal | undefined): Promise<void>
  /** After its output is written: nothing is kept any more. */
  finished(): Promise<void>
}

/** The least time between two checkpoints of a running photo, unless the store is given another. */
const CHECKPOINT_EVERY_MS = 60_000
/** A checkpoint waits this many times as long as the last one took: saving costs at most 1/20 of the run. */
const CHECKPOINT_SPACING = 19

/**
 * The run of the photo at `input` (read as `image`), its tiles so far picked up from `store` where they were
 * kept for the same `model` and `parts` (settings, device) and the same `output` raster.
 */
export async function photoRun(
  store: ResumeStore | undefined,
  input: string,
  image: Size,
  { model, parts, output }: { model: ModelSpecData; parts: unknown; output: Shape },
): Promise<PhotoRun> {
  const key = store ? await store.keyOf(input, model, parts) : null
  const nothing = (): Promise<void> => Promise.resolve()
  if (!store || !key)
    return { soFar: freshTiles(), progressed: () => undefined, stopped: nothing, finished: nothing }
  const soFar = (await store.load(key, image, output)) ?? freshTiles()
  let kept = soFar.done
  let saving: Promise<void> | null = null
  let lastSaved = performance.now()
  let lastCost = 0
  // A save that fails (a full disk) only loses the head start: the photo runs afresh next time.
  const save = (): Promise<void> => {
    const started = performance.now()
    kept = soFar.done
    return store
      .save(key, soFar)
      .then(() => {
        lastSaved = performance.now()
        lastCost = lastSaved - started
      })
      .catch(() => undefined)
  }
  const keepAdded = async (): Promise<void> => {
    await saving
    if (soFar.done > kept) await save()
  }
  return {
    soFar,
    progressed: () => {
      const due = Math.max(store.checkpointEveryMs, CHECKPOINT_SPACING * lastCost)
      if (saving || soFar.done <= kept || performance.now() - lastSaved < due) return
      saving = save().finally(() => (saving = null))
    },
    async stopped(signal) {
      if (signal?.aborted && signal.reason !== KEEP_PROGRESS) {
        await saving
        await store.drop(key)
      } else await keepAdded()
    },
    async finished() {
      await saving
      await store.drop(key)
    },
  }
}

export interface ResumeOptions {
  checkpointEveryMs?: number
  /** A save that would leave less free than this, or than its own size, is not made. */
  keepFreeBytes?: number
}

/**
 * Tiles are kept only while the disk has room to spare: a save as large as the output (gigabytes for a large
 * photo) must not take the space the output itself, or anything else on the disk, needs.
 */
const KEEP_FREE_BYTES = 2 ** 30

const MAGIC = 'enhance-tiles-so-far 1\n'
/**
 * The photo running and a pause waiting, or two pauses; older ones are for photos that went another way
 * (another realism).
 */
const KEPT = 2
/** A photo paused longer than this starts afresh: its tiles (hundreds of MB) are not held for ever. */
const KEPT_DAYS = 14

const region = z.object({
  x: z.number().int().min(0),
  y: z.number().int().min(0),
  width: z.number().int().min(1),
  height: z.number().int().min(1),
})
const header = z.object({
  width: z.number().int().min(1),
  height: z.number().int().min(1),
  channels: z.union([z.literal(3), z.literal(4)]),
  depth: z.union([z.literal(8), z.literal(16)]),
  left: z.array(region),
  done: z.number().int().min(0),
  total: z.number().int().min(0),
})

/**
 * The tiles of photos stopped part-way (paused, or running and saved now and then), one file each, under a
 * key of everything their pixels depend on: the input file as it is now (path, inode, size and times), the
 * model, the settings and where they ran. A photo that comes back the same picks up where it stopped;
 * anything changed starts it afresh. Files are written atomically and read as untrusted (a header checked
 * against the photo, sizes against the file).
 */
export class ResumeStore {
  /** The least time between two checkpoints of a running photo (`PhotoRun.progressed`). */
  readonly checkpointEveryMs: number
  private readonly keepFreeBytes: number

  constructor(
    private readonly dir: string,
    { checkpointEveryMs = CHECKPOINT_EVERY_MS, keepFreeBytes = KEEP_FREE_BYTES }: ResumeOptions = {},
  ) {
    this.checkpointEveryMs = checkpointEveryMs
    this.keepFreeBytes = keepFreeBytes
  }

  /**
   * The key of a photo's run: its input and model files as they are now (a model replaced at the same path
   * draws other tiles), and `parts`; null when the input cannot be read (it then fails on its own).
   */
  async keyOf(input: string, model: ModelSpecData, parts: unknown): Promise<string | null> {
    const version = await fileVersion(input)
    if (!version) return null
    const models = await Promise.all([model.path, model.blend?.path ?? model.path].map(fileVersion))
    return createHash('sha256')
      .update(JSON.stringify([version, models, model, parts]))
      .digest('hex')
      .slice(0, 32)
  }

  async save(key: string, soFar: TilesSoFar): Promise<void> {
    const { target, left } = soFar
    if (!target || !left) return
    // The header is taken before anything is awaited: tiles that finish while the pixels are written change
    // only tiles it still lists as left, which run again when the photo picks up.
    const head = Buffer.from(
      MAGIC +
        JSON.stringify({
          width: target.width,
          height: target.height,
          channels: target.channels,
          depth: target.depth,
          left,
          done: soFar.done,
          total: soFar.total,
        }) +
        '\n',
    )
    const pixels = new Uint8Array(target.pixels.buffer, target.pixels.byteOffset, target.pixels.byteLength)
    await mkdir(this.dir, { recursive: true })
    const size = head.length + pixels.length
    if ((await freeBytes(this.dir)) - size < Math.max(size, this.keepFreeBytes)) return
    await writeFileAtomic(this.path(key), [head, pixels])
    await this.tidy()
  }

  /**
   * The tiles so far saved under `key` for `input` (the photo as the model reads it) and its output `like`, or
   * null; a file that does not fit them is removed.
   */
  async load(key: string, input: Size, like: Shape): Promise<TilesSoFar | null> {
    const path = this.path(key)
    const file = await open(path, 'r').catch(() => null)
    if (!file) return null
    try {
      const soFar = await readTilesSoFar(file, input, like).catch(() => null)
      if (!soFar) await rm(path, { force: true })
      return soFar
    } finally {
      await file.close()
    }
  }

  drop(key: string): Promise<void> {
    return rm(this.path(key), { force: true })
  }

  private path(key: string): string {
    return join(this.dir, `${key}.tiles`)
  }

  /**
   * Keeps the newest `KEPT` saves younger than `KEPT_DAYS`, and removes what an engine killed while saving
   * left: run as the engine starts and after each save.
   */
  async tidy(): Promise<void> {
    await removeStalePartials(this.dir).catch(() => 0)
    const names = (await readdir(this.dir).catch(() => [])).filter((name) => name.endsWith('.tiles'))
    const dated = await Promise.all(
      names.map(async (name) => ({
        name,
        mtime: (await stat(join(this.dir, name)).catch(() => null))?.mtimeMs ?? 0,
      })),
    )
    const since = Date.now() - KEPT_DAYS * 24 * 3600_000
    const newest = dated.sort((a, b) => b.mtime - a.mtime)
    const old = [...newest.slice(KEPT), ...newest.slice(0, KEPT).filter(({ mtime }) => mtime < since)]
    await Promise.all(old.map(({ name }) => rm(join(this.dir, name), { force: true })))
  }
}

const inside = (r: z.infer<typeof region>, size: Size): boolean =>
  r.x + r.width <= size.width && r.y + r.height <= size.height

async function readTilesSoFar(file: FileHandle, input: Size, like: Shape): Promise<TilesSoFar | null> {
  const { size } = await file.stat()
  const start = Buffer.alloc(Math.min(size, 1 << 20))
  await file.read(start, 0, start.length, 0)
  const end = start.indexOf('\n', MAGIC.length)
  if (!start.subarray(0, MAGIC.length).equals(Buffer.from(MAGIC)) || end < 0) return null
  const parsed = header.safeParse(JSON.parse(start.subarray(MAGIC.length, end).toString('utf8')) as unknown)
  if (!parsed.success) return null
  const { left, done, total, ...shape } = parsed.data
  const same = shape.width === like.width && shape.height === like.height && shape.channels === like.channels
  const bytes = like.width * like.height * like.channels * (like.depth / 8)
  if (!same || shape.depth !== like.depth || size !== end + 1 + bytes) return null
  if (done > total || !left.every((r) => inside(r, input))) return null
  const pixels = Buffer.alloc(bytes)
  if (!(await readFully(file, pixels, end + 1))) return null
  const view =
    like.depth === 16
      ? new Uint16Array(pixels.buffer, pixels.byteOffset, bytes / 2)
      : new Uint8Array(pixels.buffer, pixels.byteOffset, bytes)
  return { target: { ...shape, pixels: view }, left, done, total }
}

/** Fills `buffer` from `position` (one read returns at most about 2 GB on Linux); false if the file ends first. */
async function readFully(file: FileHandle, buffer: Buffer, position: number): Promise<boolean> {
  for (let done = 0; done < buffer.length;) {
    const { bytesRead } = await file.read(buffer, done, buffer.length - done, position + done)
    if (bytesRead === 0) return false
    done += bytesRead
  }
  return true
}
