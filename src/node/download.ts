import { createHash } from 'node:crypto'
import type { Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import { basename, dirname, extname, join } from 'node:path'
import { EnhanceError } from '../shared/errors.js'
import { formatSize } from '../shared/library.js'
import { cancelledOr, checkedUrl, get, statusError } from './http-get.js'
import { freeBytes } from './files.js'
import { makeDirectory } from './make-directory.js'
import { isDiskFull } from './errno.js'
import { writeFully } from './write-fully.js'

/** What to fetch: the catalogue's facts for one file. */
export interface DownloadTarget {
  urls: string[]
  size: number
  sha256: string
}

export interface DownloadProgress {
  received: number
  total: number
  bytesPerSecond: number
  /** Seconds left at the current rate; null until there is a rate. */
  etaSeconds: number | null
}

export interface DownloadOptions {
  signal?: AbortSignal
  onProgress?: (progress: DownloadProgress) => void
  /** Checks the complete, hash-verified file before it is installed (the safe loader); throws to refuse it. */
  verify?: (path: string) => Promise<void>
  maxRedirects?: number
  idleTimeoutMs?: number
  /** Reconnections after a dropped connection, each resuming where the last stopped. */
  retries?: number
}

/** The partial file beside the target, named with the target's extension so the loader reads it as one. */
export function partialPaths(dest: string): { temp: string; meta: string } {
  const ext = extname(dest)
  const temp = join(dirname(dest), `.${basename(dest, ext)}.download${ext}`)
  return { temp, meta: `${temp}.json` }
}

interface PartialState {
  offset: number
  /** ETag or Last-Modified of the file the partial bytes came from: a resume must be of the same file. */
  validator: string | null
}

async function readPartial(
  paths: { temp: string; meta: string },
  target: DownloadTarget,
): Promise<PartialState> {
  const meta = await readFile(paths.meta, 'utf8')
    .then((text) => JSON.parse(text) as { sha256?: string; validator?: string | null; offset?: number })
    .catch(() => null)
  const size = await stat(paths.temp).then(
    (file) => file.size,
    () => 0,
  )
  if (meta?.sha256 !== target.sha256 || size === 0 || size >= target.size) {
    await rm(paths.temp, { force: true })
    return { offset: 0, validator: null }
  }
  return { offset: size, validator: meta.validator ?? null }
}

async function writeMeta(meta: string, target: DownloadTarget, state: PartialState): Promise<void> {
  await writeFile(meta, JSON.stringify({ sha256: target.sha256, validator: state.validator }))
}

async function removePartial(paths: { temp: string; meta: string }): Promise<void> {
  await Promise.all([rm(paths.temp, { force: true }), rm(paths.meta, { force: true })])
}

export async function ensureFreeSpace(dir: string, bytes: number): Promise<void> {
  const free = await freeBytes(dir)
  if (free < bytes) {
    throw new EnhanceError(
      'DISK_FULL',
      `The download needs ${formatSize(bytes)} but only ${formatSize(free)} is free on the disk holding ${dir}. Free some space and try again.`,
    )
  }
}

function validatorOf(response: IncomingMessage): string | null {
  const etag = response.headers.etag
  return etag && !etag.startsWith('W/') ? etag : (response.headers['last-modified'] ?? null)
}

function contentRange(header: string | undefined): { start: number; total: number } | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header ?? '')
  return match ? { start: Number(match[1]), total: Number(match[3]) } : null
}

/** Whether the ranged response continues our partial file: same start, same size, same file. */
function continuesPartial(response: IncomingMessage, state: PartialState, size: number): boolean {
  const range = contentRange(response.headers['content-range'])
  const now = validatorOf(response)
  const sameFile = state.validator === null || now === null || now === state.validator
  return range !== null && range.start === state.offset && range.total === size && sameFile
}

function wrongSize(url: URL, actual: number, expected: number): EnhanceError {
  return new EnhanceError(
    'CHECKSUM_MISMATCH',
    `${url.host} serves a file of ${actual} bytes where the catalogue says ${expected}: it is not the model listed. Nothing was installed; report the entry.`,
  )
}

/** Hashes the bytes already on disk, so the digest covers the whole file after a resume. */
async function hashPrefix(path: string, bytes: number): Promise<Hash> {
  const hash = createHash('sha256')
  if (bytes === 0) return hash
  for await (const chunk of createReadStream(path, { end: bytes - 1 })) hash.update(chunk as Buffer)
  return hash
}

class Transfer {
  private hash: Hash | null = null
  private readonly started = performance.now()
  private transferred = 0
  private lastReport = 0

  constructor(
    private readonly target: DownloadTarget,
    private readonly paths: { temp: string; meta: string },
    private readonly state: PartialState,
    private readonly options: DownloadOptions,
  ) {}

  /** One request: resumes with Range when bytes are on disk, restarts cleanly when the server can't. */
  async fetch(url: URL): Promise<void> {
    const { state, target } = this
    const ranged = state.offset > 0
    const headers: Record<string, string> = ranged
      ? { range: `bytes=${state.offset}-`, ...(state.validator ? { 'if-range': state.validator } : {}) }
      : {}
    const { response, url: source } = await get(url, {
      headers,
      signal: this.options.signal,
      maxRedirects: this.options.maxRedirects ?? 5,
      idleTimeoutMs: this.options.idleTimeoutMs ?? 30_000,
    })
    const status = response.statusCode ?? 0
    const continues = status === 206 && continuesPartial(response, state, target.size)
    if (!continues && status !== 200) {
      response.resume()
      if (!ranged || (status !== 416 && status !== 206)) throw statusError(status, source)
      await this.restart() // a range of another file, or of none: start again from the first byte
      return this.fetch(url)
    }
    if (status === 200) {
      const length = Number(response.headers['content-length'] ?? target.size)
      if (length !== target.size) {
        response.resume()
        throw wrongSize(source, length, target.size)
      }
      if (ranged) await this.restart() // the server ignored Range, or the file changed (If-Range)
    }
    state.validator = validatorOf(response)
    await writeMeta(this.paths.meta, target, state)
    await this.receive(response, source)
  }

  private async restart(): Promise<void> {
    await rm(this.paths.temp, { force: true })
    this.state.offset = 0
    this.state.validator = null
    this.hash = null
  }

  private async receive(response: IncomingMessage, url: URL): Promise<void> {
    this.hash ??= await hashPrefix(this.paths.temp, this.state.offset)
    const file = await open(this.paths.temp, this.state.offset > 0 ? 'r+' : 'w')
    try {
      await this.copy(response, file, url)
      await file.sync()
    } finally {
      await file.close()
    }
    if (this.state.offset < this.target.size) {
      throw cancelledOr(Object.assign(new Error('the connection closed early'), { code: 'ECONNRESET' }), url)
    }
  }

  private async copy(response: IncomingMessage, file: FileHandle, url: URL): Promise<void> {
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        if (this.state.offset + chunk.length > this.target.size) {
          throw wrongSize(url, this.state.offset + chunk.length, this.target.size)
        }
        await writeFully(file, chunk, this.state.offset)
        this.hash!.update(chunk)
        this.state.offset += chunk.length
        this.transferred += chunk.length
        this.report(false)
      }
    } catch (error) {
      if (error instanceof EnhanceError) throw error
      throw diskFullOr(error) ?? cancelledOr(error, url, this.options.signal)
    }
    this.report(true)
  }

  private report(force: boolean): void {
    const now = performance.now()
    if (!this.options.onProgress || (!force && now - this.lastReport < 100)) return
    this.lastReport = now
    const seconds = (now - this.started) / 1000
    const rate = seconds > 0 ? this.transferred / seconds : 0
    const left = this.target.size - this.state.offset
    this.options.onProgress({
      received: this.state.offset,
      total: this.target.size,
      bytesPerSecond: Math.round(rate),
      etaSeconds: rate > 0 ? left / rate : null,
    })
  }

  digest(): string {
    return this.hash?.digest('hex') ?? ''
  }
}

function retryable(error: unknown): boolean {
  return error instanceof EnhanceError && error.code === 'NETWORK_UNAVAILABLE'
}

/** Tries each URL in turn; a dropped connection is resumed (Range) up to `retries` times. */
async function fetchAll(transfer: Transfer, urls: URL[], retries: number): Promise<void> {
  let lastError: unknown
  for (const url of urls) {
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        return await transfer.fetch(url)
      } catch (error) {
        lastError = error
        if (error instanceof EnhanceError && error.code === 'CANCELLED') throw error
        if (!retryable(error)) break
      }
    }
  }
  throw lastError
}

/**
 * Downloads `target` to `dest`: streamed to a partial file beside it, hashed on the way, fsynced, checked
 * (size, SHA-256, then `verify`), and renamed into place only when everything matches. A dropped
 * connection resumes with a Range request, in this call and the next; every other failure removes the
 * partial file, so the folder never holds a half-written or unchecked model.
 */
export async function download(
  target: DownloadTarget,
  dest: string,
  options: DownloadOptions = {},
): Promise<void> {
  const urls = target.urls.map(checkedUrl)
  if (!urls.length) throw new EnhanceError('INVALID_ARGUMENT', 'This catalogue entry lists no download URL.')
  const paths = partialPaths(dest)
  makeDirectory(dirname(dest))
  const state = await readPartial(paths, target)
  await ensureFreeSpace(dirname(dest), target.size - state.offset)
  const transfer = new Transfer(target, paths, state, options)
  try {
    await fetchAll(transfer, urls, options.retries ?? 3)
    const digest = transfer.digest()
    if (digest !== target.sha256.toLowerCase()) {
      throw new EnhanceError(
        'CHECKSUM_MISMATCH',
        `The downloaded file's SHA-256 is ${digest}, not the catalogue's ${target.sha256}: it is not the model listed, so it was deleted. Try again later, or report the entry.`,
      )
    }
    await options.verify?.(paths.temp)
    await rename(paths.temp, dest)
    await rm(paths.meta, { force: true })
  } catch (error) {
    if (!retryable(error)) await removePartial(paths)
    throw diskFullOr(error) ?? error
  }
}

/** ENOSPC or EDQUOT as DISK_FULL; null for anything else. */
function diskFullOr(error: unknown): EnhanceError | null {
  if (!isDiskFull(error)) return null
  return new EnhanceError(
    'DISK_FULL',
    'The disk filled up during the download; nothing was installed. Free some space and try again.',
  )
}
