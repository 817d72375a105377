import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { constants, getPriority, tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EnhanceJob, ProgressEvent } from '../../src/shared/protocol.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { codeOf } from '../helpers/errors.js'
import { writeIdentityModel } from '../helpers/models.js'
import { cpuEngineWithPid } from '../helpers/engine.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-engine-'))
const { engine, pid: enginePid } = cpuEngineWithPid()
let request: (name: string) => EnhanceJob

beforeAll(async () => {
  const model = writeIdentityModel(work, 16, 2, 8)
  const input = join(work, 'photo.png')
  await sharp({ create: { width: 96, height: 64, channels: 3, background: '#4080c0' } })
    .png()
    .toFile(input)
  request = (name) => ({
    input,
    output: join(work, `${name}.png`),
    model: { path: model },
    settings: { ...DEFAULT_SETTINGS, format: 'png', tile: 16 },
  })
})
afterAll(() => engine.close())

describe('the engine process', () => {
  it("runs below normal priority, every thread of it, so the person's own programs come first", async () => {
    await engine.enhance(request('priority'))
    expect(getPriority(enginePid())).toBe(constants.priority.PRIORITY_BELOW_NORMAL)
    if (process.platform !== 'linux') return
    // Linux keeps one per thread: Node's, libuv's, ONNX Runtime's and libvips' threads alike (the nice value is field
    // 19 of /proc's stat, counted from the thread's id; the name, field 2, may hold spaces).
    const niceOf = (thread: string): number => {
      const stat = readFileSync(`/proc/${enginePid()}/task/${thread}/stat`, 'utf8')
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
    }
    const threads = readdirSync(`/proc/${enginePid()}/task`)
    expect(threads.length).toBeGreaterThan(4)
    expect(new Set(threads.map(niceOf))).toEqual(new Set([constants.priority.PRIORITY_BELOW_NORMAL]))
  })

  it('enhances a photo with per-tile progress that is monotone and ends at the total', async () => {
    const events: ProgressEvent[] = []
    const previews: { width: number; height: number; png: Buffer }[] = []
    const result = await engine.enhance(request('plain'), {
      onProgress: (e) => events.push(e),
      onPreview: (p) => void previews.push({ width: p.width, height: p.height, png: Buffer.from(p.png) }),
    })
    expect(result).toMatchObject({ width: 384, height: 256, provider: 'cpu' })
    expect(events.map((e) => e.tilesDone)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1))
    expect(new Set(events.map((e) => e.tiles))).toEqual(new Set([24]))
    expect(new Set(events.map((e) => e.id)).size).toBe(1) // every event names this one request
    expect(events.at(-1)?.etaMs).toBe(0)
    expect(previews).toHaveLength(24)
    // Each preview is a PNG of the region it fills in, in the photo's colour (the engine encodes; the app shows).
    for (const preview of previews) {
      const { data, info } = await sharp(preview.png).raw().toBuffer({ resolveWithObject: true })
      expect([info.width, info.height]).toEqual([preview.width, preview.height])
      for (const [c, level] of [0x40, 0x80, 0xc0].entries())
        expect(Math.abs(data[c]! - level)).toBeLessThanOrEqual(1)
    }
  })

  it('an already-cancelled request never starts', async () => {
    const controller = new AbortController()
    controller.abort()
    const events: ProgressEvent[] = []
    const code = await codeOf(() =>
      engine.enhance(request('never'), { signal: controller.signal, onProgress: (e) => events.push(e) }),
    )
    expect(code).toBe('CANCELLED')
    expect(events).toEqual([])
    expect(existsSync(join(work, 'never.png'))).toBe(false)
  })

  it('cancel mid-run stops within one tile and writes nothing', async () => {
    const controller = new AbortController()
    const events: ProgressEvent[] = []
    let abortedAt = 0
    const code = await codeOf(() =>
      engine.enhance(request('stopped'), {
        signal: controller.signal,
        onProgress: (e) => {
          events.push(e)
          if (e.tilesDone === 3) {
            abortedAt = e.tilesDone
            controller.abort()
          }
        },
      }),
    )
    expect(code).toBe('CANCELLED')
    expect(events.at(-1)!.tilesDone - abortedAt).toBeLessThanOrEqual(1)
    expect(existsSync(join(work, 'stopped.png'))).toBe(false)
  })

  it('cancel after done changes nothing', async () => {
    const controller = new AbortController()
    const result = await engine.enhance(request('finished'), { signal: controller.signal })
    controller.abort()
    expect(existsSync(result.output)).toBe(true)
    expect((await engine.enhance(request('after'))).width).toBe(384)
  })

  it('a killed engine fails the item with ENGINE_CRASHED and the next request gets a fresh one', async () => {
    const starts = engine.starts
    const code = await codeOf(() =>
      engine.enhance(request('killed'), {
        onProgress: (e) => {
          if (e.tilesDone === 2) engine.kill()
        },
      }),
    )
    expect(code).toBe('ENGINE_CRASHED')
    expect(existsSync(join(work, 'killed.png'))).toBe(false)
    const again = await engine.enhance(request('killed'))
    expect(existsSync(again.output)).toBe(true)
    expect(engine.starts).toBe(starts + 1)
  })

  it('reports model errors as coded data', async () => {
    expect(
      await codeOf(() => engine.enhance({ ...request('bad'), model: { path: join(work, 'missing.pth') } })),
    ).toBe('FILE_NOT_FOUND')
    expect(await codeOf(() => engine.inspect(join(work, 'photo.png')))).toBe('UNSUPPORTED_FORMAT')
  })
})
