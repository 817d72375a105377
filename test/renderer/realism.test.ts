import { describe, expect, it } from 'vitest'
import { REGION_SIDE, RealismStore } from '../../src/renderer/src/lib/realism.svelte.js'
import type { PreferencesStore } from '../../src/renderer/src/lib/preferences.svelte.js'
import type { CropPreview, EnhanceApi, ModelEntry, PhotoRef, Region } from '../../src/shared/api.js'
import { bundledPairs, choiceOf } from '../../src/renderer/src/lib/pairs.js'
import type { ModelChoice } from '../../src/shared/preferences.js'
import { DEFAULT_PREFERENCES } from '../../src/shared/preferences.js'
import { repairsOf } from '../../src/shared/settings.js'
import type { DamageMark } from '../../src/shared/protocol.js'
import type { KeptPlace, Repairs } from '../../src/shared/settings.js'
import { itemView } from '../helpers/item-view.js'

interface Call {
  path: string
  region: Region
  realism: number
  repairs: Required<Repairs>
  kept: KeptPlace[]
  /** The pair named for the crop, where one was (null: the default). */
  pair: ModelChoice | null | undefined
  finish: () => void
}

/**
 * A seam for the store's ordering logic: crops finish only when the test says so. Each reply marks `damage` (specks
 * here), each held by the kept places that lie on one of its pixels.
 */
function harness(damage: Pick<DamageMark, 'kind' | 'pixels'>[] = []) {
  const calls: Call[] = []
  const adjusted: unknown[][] = []
  /** Each job's pair, as its card says it; and the pairs chosen for jobs here. */
  const jobPairs = new Map<string, ModelChoice>()
  const chosenForJobs: unknown[][] = []
  let chosen = ''
  /** The size of the photo as main shows it (a queued photo's turned), and how often it was asked for. */
  const shown = { width: 400, height: 300, asked: 0 }
  const api = {
    adjust: (...args: unknown[]) => {
      adjusted.push(args)
      return Promise.resolve({ ok: true, value: 1 })
    },
    chooseJobModels: (...args: unknown[]) => {
      chosenForJobs.push(args)
      return Promise.resolve({ ok: true, value: 3 })
    },
    // Each chosen photo is a selection whose id stands for its path here.
    chooseInputs: () => Promise.resolve({ id: chosen, names: [chosen] }),
    imageUrl: () => {
      shown.asked++
      const { width, height } = shown
      return Promise.resolve({
        ok: true,
        value: { url: 'data:', width, height, originalWidth: width, originalHeight: height },
      })
    },
    previewCrop: (
      photo: PhotoRef,
      region: Region,
      realism: number,
      repairs: Required<Repairs>,
      kept: KeptPlace[],
      pair?: ModelChoice | null,
    ) =>
      new Promise((resolve) => {
        const path = 'selection' in photo ? photo.selection : photo.itemId
        const holding = (pixels: KeptPlace[]) =>
          kept.flatMap((place, i) => (pixels.some((p) => p.x === place.x && p.y === place.y) ? [i] : []))
        const value: CropPreview = {
          realism,
          url: `${path}@${realism}${pair ? `/${pair.path}` : ''}`,
          beforeUrl: '',
          marks: damage.map((mark) => ({ ...mark, keptBy: holding(mark.pixels) })),
          width: 384,
          height: 384,
          ms: 1,
        }
        calls.push({ path, region, realism, repairs, kept, pair, finish: () => resolve({ ok: true, value }) })
      }),
  } as unknown as EnhanceApi
  const held = { value: DEFAULT_PREFERENCES }
  const store = new RealismStore(api, held as PreferencesStore, (jobId) => jobPairs.get(jobId))
  /** Settings' repairs, as the preferences store would hold them after a change. */
  const repairs = (asked: Repairs) =>
    (held.value = { ...held.value, output: { ...held.value.output, ...asked } })
  /** The pair Models chose for new jobs. */
  const model = (choice: ModelChoice | null) => (held.value = { ...held.value, model: choice })
  const choose = (path: string) => {
    chosen = path
    return store.choosePhoto()
  }
  /** Does `act` and lets the crop it asks for finish. */
  const rendered = async (act: () => Promise<void>) => {
    void act()
    await settle()
    calls.at(-1)!.finish()
    await settle()
  }
  return { store, calls, choose, repairs, model, adjusted, shown, rendered, jobPairs, chosenForJobs }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

/** A bundled model as Models lists it; one with a use is a pair's faithful model, `<name>-gan` its partner. */
const entry = (name: string, useFor?: string, isDefault = false): ModelEntry => ({
  name,
  path: `/models/${name}.safetensors`,
  bundled: true,
  info: {} as ModelEntry['info'],
  ...(useFor ? { useFor, isDefault, pair: `${name}-gan` } : {}),
})
/** The default pair ("Photos") and another ("Originals"). */
const PAIRS = bundledPairs([
  entry('real', 'Photos', true),
  entry('real-gan'),
  entry('clean', 'Originals'),
  entry('clean-gan'),
])

describe('the realism slider', () => {
  it("renders the crop again when Settings' repairs (colours, dust) change, and only then", async () => {
    const { store, calls, choose, repairs } = harness()
    await store.refreshModels() // nothing shown yet: nothing to render
    expect(calls).toHaveLength(0)
    void choose('/a.jpg')
    await settle()
    calls[0]!.finish()
    await settle()
    await store.refreshModels() // the view opened again, the choice as it was
    expect(calls).toHaveLength(1)
    repairs({ restoreColours: true })
    void store.refreshModels()
    await settle()
    expect(calls).toHaveLength(2)
    repairs({ restoreColours: false })
    calls[1]!.finish() // rendered for a choice changed since: not shown as the current one
    await settle()
    expect(calls).toHaveLength(3)
    calls[2]!.finish()
    await settle()
    await store.refreshModels()
    expect(calls).toHaveLength(3)
    // Dust asked for: rendered again; a field said where it was unsaid before is the same choice.
    repairs({ removeDust: true })
    void store.refreshModels()
    await settle()
    expect(calls).toHaveLength(4)
    calls[3]!.finish()
    await settle()
    repairs({ restoreColours: false, removeDust: true })
    await store.refreshModels()
    expect(calls).toHaveLength(4)
  })

  it("renders a chosen file's crop again when Models' pair for new jobs changes, a queued photo's not", async () => {
    const { store, calls, choose, model, rendered } = harness()
    await rendered(() => choose('/a.jpg'))
    const clean = { path: '/models/psnr.safetensors', partner: '/models/gan.safetensors' }
    model(clean)
    await rendered(() => store.refreshModels())
    expect(calls).toHaveLength(2)
    await store.refreshModels() // the same pair, as another object
    model({ ...clean })
    await store.refreshModels()
    expect(calls).toHaveLength(2)
    // Changed while a crop renders: the crop is rendered again after it.
    model(null)
    void store.refreshModels()
    await settle()
    model(clean)
    calls[2]!.finish()
    await settle()
    expect(calls).toHaveLength(4)
    calls[3]!.finish()
    await settle()
    await store.refreshModels()
    expect(calls).toHaveLength(4)
    await rendered(() => store.openItem(itemView('/album/a.jpg', { id: 'a', realism: 0.5 })))
    model(null)
    await store.refreshModels()
    expect(calls).toHaveLength(5)
  })

  it("renders a queued photo's crop again when its job's pair changes, and enhances the job again with a pair clicked", async () => {
    const { store, calls, model, rendered, jobPairs, chosenForJobs } = harness()
    const clean = choiceOf(PAIRS[1]!)
    expect(choiceOf(PAIRS[0]!)).toBeNull() // the default pair is stored as null, and named so
    const realFiles = { path: '/models/real.safetensors', partner: '/models/real-gan.safetensors' }
    jobPairs.set('album', realFiles)
    await rendered(() => store.openItem(itemView('/album/a.jpg', { id: 'a', realism: 0.5 })))
    // New jobs' pair is not this photo's.
    model(clean)
    await store.refreshModels()
    expect(calls).toHaveLength(1)
    // Each pair compared on it, then the other clicked: the whole job, named by id.
    void store.renderPairs(PAIRS)
    for (let at = 1; at < 3; at++) {
      await settle()
      calls[at]!.finish()
    }
    await settle()
    expect(calls.slice(1).map((c) => [c.path, c.pair])).toEqual([
      ['a', null],
      ['a', clean],
    ])
    await store.useForJob(PAIRS[1]!)
    expect(chosenForJobs).toEqual([['album', clean]])
    expect(store.applied).toBe('The pair for originals: 3 photos will be enhanced again.')
    // Once its card says so, its crop is rendered with it (by its job: no pair named).
    jobPairs.set('album', clean!)
    expect(store.rendersWith).toEqual(clean)
    await rendered(() => store.refreshModels())
    expect(calls.map((c) => c.pair)).toEqual([undefined, null, clean, undefined])
    await store.refreshModels()
    expect(calls).toHaveLength(4)
    await store.useForJob(PAIRS[0]!)
    expect(chosenForJobs[1]).toEqual(['album', null])
    jobPairs.set('album', realFiles)
    await rendered(() => store.refreshModels())
    expect(calls).toHaveLength(5)
  })

  it('renders the region with each pair named, at the slider’s realism, and keeps the latest ask only', async () => {
    const { store, calls, choose, rendered } = harness()
    await rendered(() => choose('/a.jpg'))
    const pairs = PAIRS
    void store.renderPairs(pairs)
    await settle()
    // One at a time; asked again meanwhile at another realism, the pairs are rendered at that one next.
    void store.setRealism(0.75)
    void store.renderPairs(pairs)
    calls[1]!.finish()
    await settle()
    calls[2]!.finish()
    await settle()
    expect(store.pairs).toEqual([])
    for (let at = 3; at < 6; at++) {
      await settle()
      calls[at]!.finish()
    }
    await settle()
    expect(calls.slice(1).map((c) => [c.realism, c.pair])).toEqual([
      [0.5, null],
      [0.75, undefined], // the slider's own crop
      [0.5, { path: '/models/clean.safetensors', partner: '/models/clean-gan.safetensors' }],
      [0.75, null],
      [0.75, { path: '/models/clean.safetensors', partner: '/models/clean-gan.safetensors' }],
    ])
    expect(store.pairs.map(({ pair, crop }) => [pair.model.name, crop.url])).toEqual([
      ['real', '/a.jpg@0.75'],
      ['clean', '/a.jpg@0.75//models/clean.safetensors'],
    ])
    // Another region: those shown are stale until rendered there.
    void store.pickAround(10, 10)
    await settle()
    expect(store.pairs).toEqual([])
  })

  it('never shows a crop of the previous photo once another is chosen', async () => {
    const { store, calls, choose } = harness()
    await settle()
    void choose('/a.jpg')
    await settle()
    calls[0]!.finish()
    await settle()
    void store.setRealism(1)
    await settle()
    expect(calls).toHaveLength(2)
    void choose('/b.jpg')
    await settle()
    expect(store.crop).toBeNull()
    calls[1]!.finish() // the old photo's crop arrives late
    await settle()
    expect(store.crop).toBeNull()
    expect(calls.at(-1)).toMatchObject({ path: '/b.jpg', realism: 1 })
    calls.at(-1)!.finish()
    await settle()
    expect(store.crop?.url).toBe('/b.jpg@1')
  })

  it('renders the latest α after the one in flight, and not the ones in between', async () => {
    const { store, calls, choose } = harness()
    void choose('/a.jpg')
    await settle()
    for (const realism of [0.25, 0.5, 0.75]) void store.setRealism(realism)
    calls[0]!.finish()
    await settle()
    expect(calls.map((c) => c.realism)).toEqual([DEFAULT_PREFERENCES.realism, 0.75])
    calls[1]!.finish()
    await settle()
    expect(store.crop?.realism).toBe(0.75)
    expect(store.busy).toBe(false)
  })

  it('renders a newly picked region even at the same α', async () => {
    const { store, calls, choose } = harness()
    void choose('/a.jpg')
    await settle()
    void store.pickAround(10, 10)
    calls[0]!.finish()
    await settle()
    expect(calls).toHaveLength(2)
    expect(calls[1]!.region).toEqual({ x: 0, y: 0, width: REGION_SIDE, height: REGION_SIDE })
    expect(store.crop).toBeNull()
  })

  it('previews a queued photo with its own repairs, changed here apart from Settings, and applies them with the realism', async () => {
    const { store, calls, choose, repairs, adjusted } = harness()
    const dusty = { ...repairsOf({}), removeDust: true, removeScratches: true }
    const item = itemView('/album/portrait.jpg', {
      id: 'portrait',
      output: '/out/portrait.jpg',
      realism: 0.25,
      repairs: dusty,
    })
    void store.openItem(item)
    await settle()
    calls[0]!.finish()
    await settle()
    expect(calls.map((c) => [c.path, c.realism, c.repairs])).toEqual([['portrait', 0.25, dusty]])
    expect(store.repairsChanged).toBe(false)
    // Settings' repairs are new jobs': they do not change what this photo is previewed with.
    repairs({ restoreColours: true })
    await store.refreshModels()
    expect(calls).toHaveLength(1)
    void store.setRepairs({ removeDust: false })
    await settle()
    const portrait = { ...dusty, removeDust: false }
    expect(calls.at(-1)!.repairs).toEqual(portrait)
    expect(store.repairsChanged).toBe(true)
    calls.at(-1)!.finish()
    await settle()
    await store.apply('photo')
    expect(adjusted).toEqual([
      [
        { jobId: 'album', itemId: 'portrait' },
        { realism: 0.25, repairs: portrait, kept: [] },
      ],
    ])
    expect(store.repairsChanged).toBe(false)
    expect(store.applied).toBe('Realism 25%, scratches removed: 1 photo will be enhanced again.')
    await store.apply('job')
    expect(adjusted[1]).toEqual([{ jobId: 'album' }, { realism: 0.25, repairs: portrait }])
    // A file chosen next is previewed with Settings' repairs again.
    void choose('/b.jpg')
    await settle()
    expect(calls.at(-1)!.path).toBe('/b.jpg')
    expect(calls.at(-1)!.repairs).toEqual(repairsOf({ ...DEFAULT_PREFERENCES.output, restoreColours: true }))
  })

  it('keeps the mark a click reaches by one of its pixels, gives it back from anywhere on it, and applies it to the photo alone', async () => {
    const line = [40, 41, 42].map((x) => ({ x, y: 30 }))
    const { store, calls, adjusted, rendered } = harness([
      { kind: 'speck', pixels: line },
      { kind: 'speck', pixels: [{ x: 90, y: 30 }] },
    ])
    const item = itemView('/album/portrait.jpg', {
      id: 'portrait',
      output: '/out/portrait.jpg',
      realism: 0.5,
      repairs: { ...repairsOf({}), removeDust: true },
    })
    await rendered(() => store.openItem(item))
    // 2 pixels past the speck's end: kept by its middle pixel, which the engine is sure to count as on it.
    await rendered(() => store.keepAt({ x: 44, y: 31 }))
    expect(calls.at(-1)!.kept).toEqual([{ x: 41, y: 30 }])
    expect([store.keptChanged, store.repairsChanged]).toEqual([true, false])
    await rendered(() => store.keepAt({ x: 90, y: 33 }))
    expect(calls.at(-1)!.kept).toEqual([
      { x: 41, y: 30 },
      { x: 90, y: 30 },
    ])
    // The far end of the first speck, 3 pixels from where it was kept: given back.
    await rendered(() => store.keepAt({ x: 38, y: 30 }))
    expect(calls.at(-1)!.kept).toEqual([{ x: 90, y: 30 }])
    // Far from any mark: nothing is kept, nothing rendered.
    const asked = calls.length
    await store.keepAt({ x: 60, y: 60 })
    expect(calls).toHaveLength(asked)
    // The keyboard's way: a mark's own button.
    await rendered(() => store.toggleMark(store.crop!.marks![0]!))
    expect(calls.at(-1)!.kept).toEqual([
      { x: 90, y: 30 },
      { x: 41, y: 30 },
    ])
    await store.apply('job')
    await store.apply('photo')
    expect(adjusted.map(([, choice]) => (choice as { kept?: unknown }).kept)).toEqual([
      undefined,
      [
        { x: 90, y: 30 },
        { x: 41, y: 30 },
      ],
    ])
    expect(store.keptChanged).toBe(false)
    // Every place given back at once (a place holding no mark, too): rendered, and applied, with none.
    await rendered(() => store.letGoKept())
    expect(calls.at(-1)!.kept).toEqual([])
    expect(store.keptChanged).toBe(true)
    await store.apply('photo')
    expect((adjusted.at(-1)![1] as { kept?: unknown }).kept).toEqual([])
  })

  it("keeps a turned photo's marks on its file's pixels, draws them where they lie, and shows it again turned", async () => {
    const { store, calls, shown, rendered } = harness([{ kind: 'speck', pixels: [{ x: 10, y: 20 }] }])
    // A 400 × 300 file turned right: shown 300 × 400.
    Object.assign(shown, { width: 300, height: 400 })
    const item = itemView('/album/print.jpg', {
      id: 'print',
      output: '/out/print.jpg',
      realism: 0.5,
      repairs: { ...repairsOf({}), removeDust: true },
      facing: { turn: 90, mirrored: false },
    })
    await rendered(() => store.openItem(item))
    await rendered(() => store.keepAt({ x: 10, y: 20 }))
    // The file's pixel (20, 289) is where a right turn takes (10, 20) from.
    expect(calls.at(-1)!.kept).toEqual([{ x: 20, y: 289 }])
    expect(store.keptShown).toEqual([{ x: 10, y: 20 }])
    // Turned upside down from the queue: asked for again as it now stands, the place drawn where it now lies.
    Object.assign(shown, { width: 400, height: 300 })
    const asked = shown.asked
    await rendered(() => store.itemChanged({ ...item, facing: { turn: 180, mirrored: false } }))
    expect(shown.asked).toBe(asked + 1)
    expect([store.photo?.facing.turn, store.photo?.width, store.kept]).toEqual([
      180,
      400,
      [{ x: 20, y: 289 }],
    ])
    expect(store.keptShown).toEqual([{ x: 379, y: 10 }])
    expect(calls.at(-1)!.kept).toEqual([{ x: 20, y: 289 }])
    // Mirrored as well (the same turn): shown again, the place where the mirror then takes it; a mark kept there
    // is the file's same pixel.
    const turnedAsked = shown.asked
    await rendered(() => store.itemChanged({ ...item, facing: { turn: 180, mirrored: true } }))
    expect(shown.asked).toBe(turnedAsked + 1)
    expect(store.keptShown).toEqual([{ x: 20, y: 10 }])
    expect(calls.at(-1)!.kept).toEqual([{ x: 20, y: 289 }])
  })

  it('follows the photo open when a run lets its kept places go, unless they were changed here', async () => {
    const speck = { x: 90, y: 30 }
    const { store, calls } = harness([{ kind: 'speck', pixels: [speck] }])
    const place = { x: 40, y: 30 }
    const item = itemView('/album/portrait.jpg', {
      id: 'portrait',
      output: '/out/portrait.jpg',
      realism: 0.5,
      repairs: { ...repairsOf({}), removeDust: true },
      kept: [place],
    })
    void store.openItem(item)
    await settle()
    calls.at(-1)!.finish()
    await settle()
    expect(calls.at(-1)!.kept).toEqual([place])
    // Another photo's change, or this one's with its places as they are: nothing rendered again.
    const asked = calls.length
    await store.itemChanged({ ...item, id: 'other', kept: [] })
    await store.itemChanged({ ...item, state: 'running' })
    expect(calls).toHaveLength(asked)
    // Its run let them go: shown without them at once, and nothing left to apply.
    void store.itemChanged({ ...item, kept: [], note: 'let go' })
    await settle()
    expect(calls.at(-1)!.kept).toEqual([])
    expect([store.kept, store.keptChanged, store.target?.note]).toEqual([[], false, 'let go'])
    calls.at(-1)!.finish()
    await settle()
    // Places changed here stay as chosen, whatever the queue says.
    void store.keepAt(speck)
    await settle()
    calls.at(-1)!.finish()
    await settle()
    const rendered = calls.length
    await store.itemChanged({ ...item, kept: [place] })
    expect(calls).toHaveLength(rendered)
    expect([store.kept, store.keptChanged]).toEqual([[speck], true])
  })

  it('applies only repairs to a queued photo whose job has no GAN partner', async () => {
    const { store, calls, adjusted } = harness()
    const item = itemView('/album/scan.png', {
      id: 'scan',
      output: '/out/scan.png',
      realism: null,
      repairs: repairsOf({}),
    })
    void store.openItem(item)
    await settle()
    calls[0]!.finish()
    await settle()
    void store.setRepairs({ removeDust: true })
    await settle()
    calls.at(-1)!.finish()
    await settle()
    await store.apply('photo')
    const dusty = { ...repairsOf({}), removeDust: true }
    expect(adjusted).toEqual([
      [
        { jobId: 'album', itemId: 'scan' },
        { repairs: dusty, kept: [] },
      ],
    ])
    expect(store.applied).toBe('With dust removed: 1 photo will be enhanced again.')
    expect(store.target?.realism).toBeNull()
  })
})
