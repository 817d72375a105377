import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** How one path answers. Every field is optional; a plain `body` is a well-behaved file server. */
export interface Route {
  body?: Buffer
  etag?: string
  /** Answer Range requests with 206 (default true). */
  ranges?: boolean
  /** Honour If-Range: a stale validator gets the whole file (default true). */
  ifRange?: boolean
  /** The first `dropFirst` responses close the connection after `dropAfter` bytes. */
  dropFirst?: number
  dropAfter?: number
  status?: number
  redirect?: string
  /** Bytes per second, sent in small chunks. */
  rate?: number
}

export interface LoggedRequest {
  path: string
  range?: string
  ifRange?: string
  status: number
}

/** A real HTTP server on 127.0.0.1 whose routes tests change as they go; it logs what it was asked. */
export class FileServer {
  readonly routes = new Map<string, Route>()
  readonly log: LoggedRequest[] = []
  private readonly server: Server
  private readonly drops = new Map<string, number>()

  constructor() {
    this.server = createServer((req, res) => this.answer(req, res))
  }

  /** Forgets routes, the log and which responses were already dropped. */
  reset(): void {
    this.routes.clear()
    this.log.length = 0
    this.drops.clear()
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return this
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise((resolve) => this.server.close(resolve))
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/'
    const route = this.routes.get(path)
    const entry: LoggedRequest = { path, status: 0 }
    if (req.headers.range) entry.range = req.headers.range
    if (typeof req.headers['if-range'] === 'string') entry.ifRange = req.headers['if-range']
    this.log.push(entry)
    if (!route || route.status) {
      entry.status = route?.status ?? 404
      res.writeHead(entry.status).end()
      return
    }
    if (route.redirect) {
      entry.status = 302
      res.writeHead(302, { location: route.redirect }).end()
      return
    }
    const body = route.body ?? Buffer.alloc(0)
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '')
    const stale = route.ifRange !== false && entry.ifRange !== undefined && entry.ifRange !== route.etag
    const start = range && route.ranges !== false && !stale ? Number(range[1]) : 0
    const headers: Record<string, string | number> = { 'content-length': body.length - start }
    if (route.etag) headers['etag'] = route.etag
    if (start > 0) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`
    entry.status = start > 0 ? 206 : 200
    res.writeHead(entry.status, headers)
    void this.send(res, body.subarray(start), route, path)
  }

  private async send(res: ServerResponse, data: Buffer, route: Route, path: string): Promise<void> {
    const dropped = this.drops.get(path) ?? 0
    const drop = dropped < (route.dropFirst ?? 0)
    if (drop) this.drops.set(path, dropped + 1)
    const limit = drop ? (route.dropAfter ?? data.length >> 1) : data.length
    const chunk = route.rate ? Math.max(1, Math.floor(route.rate / 20)) : 16 * 1024
    for (let at = 0; at < limit && !res.destroyed; at += chunk) {
      res.write(data.subarray(at, Math.min(limit, at + chunk)))
      await new Promise((resolve) => setTimeout(resolve, route.rate ? 50 : 1))
    }
    if (drop) res.socket?.destroy()
    else res.end()
  }
}
