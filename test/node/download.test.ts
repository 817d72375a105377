import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  statfsSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { download, partialPaths } from '../../src/node/download.js'
import type { DownloadProgress, DownloadTarget } from '../../src/node/download.js'
import { EnhanceError } from '../../src/shared/errors.js'
import { codeOf } from '../helpers/errors.js'
import { FileServer } from '../helpers/file-server.js'

const FILE = randomBytes(300_000)
const SHA = createHash('sha256').update(FILE).digest('hex')

let server: FileServer
let dir: string
let dest: string

beforeAll(async () => {
  server = await new FileServer().start()
})
afterAll(async () => server.stop())
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'enhance-download-'))
  dest = join(dir, 'model.pth')
  server.reset()
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function target(path = '/model.pth', overrides: Partial<DownloadTarget> = {}): DownloadTarget {
  return { urls: [server.url(path)], size: FILE.length, sha256: SHA, ...overrides }
}

const folder = (): string[] => readdirSync(dir).sort()

describe('downloads from a local server', () => {
  it('installs a good file, with its bytes, and reports progress up to the total', async () => {
    server.routes.set('/model.pth', { body: FILE, etag: '"v1"' })
    const progress: DownloadProgress[] = []
    await download(target(), dest, { onProgress: (p) => progress.push(p) })
    expect(readFileSync(dest).equals(FILE)).toBe(true)
    expect(folder()).toEqual(['model.pth'])
    expect(progress.at(-1)).toMatchObject({ received: FILE.length, total: FILE.length })
    expect(progress.at(-1)!.bytesPerSecond).toBeGreaterThan(0)
  })

  it('refuses a file whose SHA-256 differs, and leaves nothing behind', async () => {
    const other = Buffer.from(FILE)
    other[1234] = (other[1234] ?? 0) ^ 1
    server.routes.set('/model.pth', { body: other })
    expect(await codeOf(() => download(target(), dest))).toBe('CHECKSUM_MISMATCH')
    expect(folder()).toEqual([])
  })

  it('refuses a file of another size before reading it all', async () => {
    server.routes.set('/model.pth', { body: FILE.subarray(0, 1000) })
    expect(await codeOf(() => download(target(), dest))).toBe('CHECKSUM_MISMATCH')
    expect(folder()).toEqual([])
  })

  it('resumes a connection dropped halfway with a Range request', async () => {
    server.routes.set('/model.pth', { body: FILE, etag: '"v1"', dropFirst: 1, dropAfter: 120_000 })
    await download(target(), dest)
    expect(readFileSync(dest).equals(FILE)).toBe(true)
    expect(server.log.map((r) => r.status)).toEqual([200, 206])
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(server.log[1]!.range!)![1])
    expect(resumedAt).toBeGreaterThan(0)
    expect(resumedAt).toBeLessThanOrEqual(120_000)
    expect(server.log[1]!.ifRange).toBe('"v1"')
    expect(folder()).toEqual(['model.pth'])
  })

  it('keeps the partial file after a failed call, and the next call resumes it', async () => {
    server.routes.set('/model.pth', { body: FILE, etag: '"v1"', dropFirst: 1, dropAfter: 100_000 })
    expect(await codeOf(() => download(target(), dest, { retries: 0 }))).toBe('NETWORK_UNAVAILABLE')
    expect(folder()).toEqual(['.model.download.pth', '.model.download.pth.json'])
    await download(target(), dest)
    expect(server.log[1]!.range).toMatch(/^bytes=\d+-$/)
    expect(readFileSync(dest).equals(FILE)).toBe(true)
    expect(folder()).toEqual(['model.pth'])
  })

  it('restarts cleanly from a server that ignores Range', async () => {
    server.routes.set('/model.pth', { body: FILE, ranges: false, dropFirst: 1 })
    await download(target(), dest)
    expect(server.log.map((r) => r.status)).toEqual([200, 200])
    expect(server.log[1]!.range).toBeDefined()
    expect(readFileSync(dest).equals(FILE)).toBe(true)
  })

  it('notices a file that changed on the server mid-download (If-Range), and starts again', async () => {
    const old = randomBytes(FILE.length)
    server.routes.set('/model.pth', { body: old, etag: '"old"', dropFirst: 1 })
    const first = download(target(), dest, { retries: 0 })
    expect(await codeOf(() => first)).toBe('NETWORK_UNAVAILABLE')
    server.routes.set('/model.pth', { body: FILE, etag: '"new"' })
    await download(target(), dest)
    expect(server.log[1]).toMatchObject({ ifRange: '"old"', status: 200 })
    expect(readFileSync(dest).equals(FILE)).toBe(true)
  })

  it('notices a changed file even when the server ignores If-Range and sends a range of the new one', async () => {
    server.routes.set('/model.pth', { body: randomBytes(FILE.length), etag: '"old"', dropFirst: 1 })
    expect(await codeOf(() => download(target(), dest, { retries: 0 }))).toBe('NETWORK_UNAVAILABLE')
    server.routes.set('/model.pth', { body: FILE, etag: '"new"', ifRange: false })
    await download(target(), dest)
    expect(server.log.slice(1).map((r) => r.status)).toEqual([206, 200])
    expect(readFileSync(dest).equals(FILE)).toBe(true)
  })

  it.each([
    [404, 'DOWNLOAD_NOT_FOUND'],
    [500, 'SERVER_ERROR'],
    [503, 'SERVER_ERROR'],
  ])('HTTP %i is %s, with nothing left', async (status, code) => {
    server.routes.set('/model.pth', { status })
    expect(await codeOf(() => download(target(), dest))).toBe(code)
    expect(folder()).toEqual([])
  })

  it('follows a redirect, and stops a redirect loop with a code', async () => {
    server.routes.set('/moved', { redirect: '/model.pth' })
    server.routes.set('/model.pth', { body: FILE })
    await download(target('/moved'), dest)
    expect(readFileSync(dest).equals(FILE)).toBe(true)
    rmSync(dest)
    server.routes.set('/a', { redirect: '/b' })
    server.routes.set('/b', { redirect: '/a' })
    expect(await codeOf(() => download(target('/a'), dest))).toBe('TOO_MANY_REDIRECTS')
    expect(server.log.filter((r) => r.path === '/a' || r.path === '/b').length).toBe(6)
    expect(folder()).toEqual([])
  })

  it('cancels a slow download at once, leaving nothing', async () => {
    server.routes.set('/model.pth', { body: FILE, rate: 20_000 })
    const controller = new AbortController()
    const started = performance.now()
    const running = download(target(), dest, {
      signal: controller.signal,
      onProgress: (p) => p.received > 2_000 && controller.abort(),
    })
    expect(await codeOf(() => running)).toBe('CANCELLED')
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(folder()).toEqual([])
  })

  it('tries the next URL when one fails', async () => {
    server.routes.set('/model.pth', { body: FILE })
    await download({ ...target(), urls: [server.url('/gone'), server.url('/model.pth')] }, dest)
    expect(readFileSync(dest).equals(FILE)).toBe(true)
  })

  it('refuses plain HTTP beyond this machine, also when a redirect leads there', async () => {
    expect(await codeOf(() => download(target('/x', { urls: ['http://example.com/m.pth'] }), dest))).toBe(
      'INSECURE_URL',
    )
    server.routes.set('/out', { redirect: 'http://example.com/model.pth' })
    expect(await codeOf(() => download(target('/out'), dest))).toBe('INSECURE_URL')
    expect(folder()).toEqual([])
  })

  it('is offline when nothing listens', async () => {
    const closed = new FileServer()
    await closed.start()
    const url = closed.url('/model.pth')
    await closed.stop()
    expect(await codeOf(() => download({ ...target(), urls: [url] }, dest, { retries: 1 }))).toBe(
      'NETWORK_UNAVAILABLE',
    )
    expect(folder()).toEqual([])
  })

  it('refuses an untrusted certificate as TLS_ERROR', async () => {
    const tls = fileURLToPath(new URL('../fixtures/tls/', import.meta.url))
    const https = createServer(
      { key: readFileSync(join(tls, 'self-signed.key')), cert: readFileSync(join(tls, 'self-signed.crt')) },
      (_req, res) => res.end(FILE),
    )
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve))
    const url = `https://127.0.0.1:${(https.address() as AddressInfo).port}/model.pth`
    try {
      expect(await codeOf(() => download({ ...target(), urls: [url] }, dest))).toBe('TLS_ERROR')
    } finally {
      https.close()
    }
    expect(folder()).toEqual([])
  })

  it('runs the loader check before installing, and a refusal installs nothing', async () => {
    server.routes.set('/model.pth', { body: FILE })
    const checked: string[] = []
    const verify = (path: string): Promise<void> => {
      checked.push(path)
      expect(readFileSync(path).equals(FILE)).toBe(true)
      return Promise.reject(new EnhanceError('CATALOGUE_MISMATCH', 'scale 2, not 4'))
    }
    await expect(download(target(), dest, { verify })).rejects.toThrow('scale 2, not 4')
    expect(checked).toEqual([partialPaths(dest).temp])
    expect(folder()).toEqual([])
  })

  it('checks free space before asking the server for anything', async () => {
    server.routes.set('/model.pth', { body: FILE })
    const huge = { ...target(), size: Number.MAX_SAFE_INTEGER }
    expect(await codeOf(() => download(huge, dest))).toBe('DISK_FULL')
    expect(server.log).toEqual([])
  })
})

/** A real small filesystem: only where this process may mount (root on Linux, as in CI). */
function mountTmpfs(path: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

describe('a disk that fills up mid-download', () => {
  const mountPoint = mkdtempSync(join(tmpdir(), 'enhance-tmpfs-'))
  const mounted = mountTmpfs(mountPoint, '1m')
  afterAll(() => {
    if (mounted) execFileSync('umount', [mountPoint])
    rmSync(mountPoint, { recursive: true, force: true })
  })

  it.skipIf(!mounted)('is DISK_FULL and leaves nothing partial', async () => {
    server.routes.set('/model.pth', { body: FILE, rate: 400_000 })
    const models = join(mountPoint, 'models')
    mkdirSync(models)
    let filled = false
    const fillTheDisk = (): void => {
      if (filled) return
      filled = true
      try {
        writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(1024 * 1024))
      } catch {
        // The filler itself stops when the disk is full; that is the point.
      }
    }
    const code = await codeOf(() =>
      download(target(), join(models, 'model.pth'), { onProgress: fillTheDisk }),
    )
    expect(code).toBe('DISK_FULL')
    expect(readdirSync(models)).toEqual([])
  })

  it.skipIf(!mounted)(
    'with room for all but its last bytes, is DISK_FULL too, never a model cut short',
    async () => {
      server.routes.set('/model.pth', { body: FILE, rate: 400_000 })
      rmSync(join(mountPoint, 'filler'), { force: true }) // the test before filled the disk
      const models = join(mountPoint, 'models-2')
      mkdirSync(models)
      const temp = partialPaths(join(models, 'model.pth')).temp
      let filled = false
      const leaveRoomForAllButTheLastPage = (): void => {
        const written = statSync(temp, { throwIfNoEntry: false })?.size ?? 0
        if (filled || written < FILE.length / 2 || written === FILE.length) return
        filled = true
        const page = 4096
        const pagesLeft = Math.ceil(FILE.length / page) - Math.ceil(written / page) - 1
        const { bavail, bsize } = statfsSync(mountPoint)
        writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(bavail * bsize - pagesLeft * page))
      }
      const code = await codeOf(() =>
        download(target(), join(models, 'model.pth'), { onProgress: leaveRoomForAllButTheLastPage }),
      )
      rmSync(join(mountPoint, 'filler'))
      expect([filled, code, readdirSync(models)]).toEqual([true, 'DISK_FULL', []])
    },
  )
})
