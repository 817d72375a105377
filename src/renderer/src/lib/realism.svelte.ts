import type { CropPreview, EnhanceApi, Region } from '../../../shared/api.js'
import type { ErrorData } from '../../../shared/errors.js'

export const THUMBNAIL_ALPHAS = [0, 0.25, 0.5, 0.75, 1]

/**
 * The realism slider: a region of one photo, re-rendered at the chosen α with the bundled pair.
 * Requests are serialised; while one runs, only the latest α is kept for the next.
 */
export class RealismStore {
  #alpha = $state(0.5)
  #photo = $state<{ path: string; url: string; width: number; height: number } | null>(null)
  #region = $state<Region | null>(null)
  #crop = $state<CropPreview | null>(null)
  #thumbnails = $state<CropPreview[]>([])
  #busy = $state(false)
  #error = $state<ErrorData | null>(null)
  #pending: number | null = null

  constructor(private readonly api: EnhanceApi) {}

  get alpha(): number {
    return this.#alpha
  }
  get photo() {
    return this.#photo
  }
  get region(): Region | null {
    return this.#region
  }
  get crop(): CropPreview | null {
    return this.#crop
  }
  get thumbnails(): CropPreview[] {
    return this.#thumbnails
  }
  get busy(): boolean {
    return this.#busy
  }
  get error(): ErrorData | null {
    return this.#error
  }

  async choosePhoto(): Promise<void> {
    const paths = await this.api.chooseInputs('files')
    if (!paths?.[0]) return
    const image = await this.api.imageUrl(paths[0], 1024)
    if (!image.ok) {
      this.#error = image.error
      return
    }
    const full = await this.api.imageUrl(paths[0], 100_000)
    this.#photo = {
      path: paths[0],
      url: image.value.url,
      width: full.ok ? full.value.width : image.value.width,
      height: full.ok ? full.value.height : image.value.height,
    }
    const side = Math.min(96, this.#photo.width, this.#photo.height)
    await this.pick({
      x: (this.#photo.width - side) / 2,
      y: (this.#photo.height - side) / 2,
      width: side,
      height: side,
    })
  }

  async pick(region: Region): Promise<void> {
    this.#region = region
    this.#thumbnails = []
    await this.render(this.#alpha)
  }

  async setAlpha(alpha: number): Promise<void> {
    this.#alpha = alpha
    await this.render(alpha)
  }

  private async render(alpha: number): Promise<void> {
    if (!this.#photo || !this.#region) return
    if (this.#busy) {
      this.#pending = alpha
      return
    }
    this.#busy = true
    try {
      const result = await this.api.previewCrop(this.#photo.path, this.#region, alpha)
      if (result.ok) {
        this.#crop = result.value
        this.#error = null
      } else this.#error = result.error
    } finally {
      this.#busy = false
    }
    const next = this.#pending
    this.#pending = null
    if (next !== null && next !== alpha) await this.render(next)
  }

  async renderThumbnails(): Promise<void> {
    if (!this.#photo || !this.#region) return
    const thumbnails: CropPreview[] = []
    for (const alpha of THUMBNAIL_ALPHAS) {
      const result = await this.api.previewCrop(this.#photo.path, this.#region, alpha)
      if (result.ok) thumbnails.push(result.value)
    }
    this.#thumbnails = thumbnails
  }
}
