import { realpathSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { app, net, protocol, session } from 'electron'
import type { WebContents } from 'electron'
import { isInside } from '../queue/paths.js'

/** The renderer is served from its own scheme, so 'self' in the CSP means the app and nothing on disk. */
export const APP_SCHEME = 'app'
export const APP_ORIGIN = `${APP_SCHEME}://enhance`

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'"

/** Must run before the app is ready: the scheme is standard and secure, like https. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ])
}

/** The file a request for `app://enhance/<path>` names, or null when it leaves the renderer folder. */
export function rendererFile(rendererDir: string, url: string): string | null {
  const { host, pathname } = new URL(url)
  if (host !== 'enhance') return null
  const file = resolve(rendererDir, `.${decodeURIComponent(pathname === '/' ? '/index.html' : pathname)}`)
  let real: string
  try {
    real = realpathSync(file)
  } catch {
    return null
  }
  return isInside(realpathSync(rendererDir), real) ? real : null
}

/** Serves the built renderer, and only it, on app://enhance; anything else is a 404. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => {
    const file = rendererFile(rendererDir, request.url)
    if (!file) return new Response('Not found', { status: 404 })
    return net.fetch(pathToFileURL(file).toString())
  })
}

/**
 * Electron's security checklist for the whole session: every permission refused (the app needs
 * none), the CSP on every response, and no webview, new window, navigation or redirect away from the app.
 */
export function hardenSession(): void {
  const ses = session.defaultSession
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  ses.setPermissionCheckHandler(() => false)
  ses.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } }),
  )
  app.on('web-contents-created', (_event, contents) => hardenContents(contents))
}

export function isAppUrl(url: string, devUrl: string | null): boolean {
  return url.startsWith(`${APP_ORIGIN}/`) || (devUrl !== null && url.startsWith(devUrl))
}

export function hardenContents(contents: WebContents, devUrl: string | null = rendererDevUrl()): void {
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  contents.on('will-navigate', (event) => event.preventDefault())
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url, devUrl)) event.preventDefault()
  })
  contents.on('will-redirect', (event) => event.preventDefault())
}

/** electron-vite's dev server, honoured only when the app is not packaged. */
export function rendererDevUrl(): string | null {
  if (app.isPackaged) return null
  return process.env['ELECTRON_RENDERER_URL'] ?? null
}

export function rendererEntry(): string {
  return rendererDevUrl() ?? `${APP_ORIGIN}/index.html`
}
