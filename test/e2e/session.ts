import { mkdirSync, mkdtempSync } from 'node:fs'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import {
  SCREENSHOTS,
  ScriptedDialogs,
  bindPage,
  launchChromium,
  serveRenderer,
  startBackend,
} from './harness.js'
import type { AppBackend } from './harness.js'
import type { LibraryEntry } from '../../src/shared/library.js'

/** A synthetic photo: a flat colour, a soft disc and a hard diagonal, so enhancing visibly changes it. */
/** The bytes of a `data:` URL's image (the window's thumbnails, previews and crops are PNG data URLs). */
export const dataUrlBytes = (url: string): Buffer => Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')

export async function photo(path: string, seed: number, width = 256, height = 192): Promise<void> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="hsl(${seed * 47},60%,50%)"/><circle cx="${20 + seed * 5}" cy="30" r="18" fill="#fff" opacity="0.6"/><path d="M0 ${height} L${width} 10" stroke="#202020" stroke-width="3"/></svg>`
  await sharp(Buffer.from(svg)).jpeg({ quality: 92 }).toFile(path)
}

/** One user's app: Chromium on the built renderer, bound to a real backend whose data lives in `dataDir`. */
export class AppSession {
  readonly work = mkdtempSync(join(tmpdir(), 'enhance-e2e-'))
  readonly dataDir = join(this.work, 'app-data')
  readonly dialogs = new ScriptedDialogs()
  backend!: AppBackend
  page!: Page
  private browser!: Browser
  private server!: Server
  private url = ''
  private unbind: () => void = () => undefined

  /** `library`: the catalogue of downloadable models the backend offers (the built-in one is not used here). */
  constructor(private readonly library: Record<string, LibraryEntry> = {}) {}

  async start(): Promise<void> {
    ;({ url: this.url, server: this.server } = await serveRenderer())
    this.browser = await launchChromium()
    this.backend = await startBackend(this.dataDir, this.dialogs, this.library)
    await this.open()
  }

  /** A new window on the same backend; 200 % zoom is the same page at half the CSS width. */
  async open(viewport = { width: 1280, height: 860 }, deviceScaleFactor = 1): Promise<void> {
    this.page = await this.browser.newPage({ viewport, deviceScaleFactor })
    this.unbind = await bindPage(this.page, this.backend)
    await this.page.goto(this.url)
    await this.page.getByRole('heading', { name: /Enhance/ }).waitFor()
  }

  async closeWindow(): Promise<void> {
    this.unbind()
    await this.page.close()
  }

  /** The app quits (its queue and settings are on disk) and starts again. */
  async restart(): Promise<void> {
    await this.closeWindow()
    await this.backend.close()
    this.backend = await startBackend(this.dataDir, this.dialogs, this.library)
    void this.backend.queue.runner.run()
    await this.open()
  }

  async shot(name: string): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true })
    await this.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
  }

  async tab(name: string): Promise<void> {
    await this.page.getByRole('tab', { name }).click()
  }

  async stop(): Promise<void> {
    this.unbind()
    await this.browser?.close()
    this.server?.close()
    await this.backend?.close()
  }
}
