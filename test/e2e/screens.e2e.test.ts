/// <reference lib="dom" />
/**
 * Every screen at 1280×800 and 900×600, in light and dark: a screenshot of each for review, and an
 * accessibility scan (axe-core, in the same Chromium) that must find no serious or critical violation.
 */
import { createRequire } from 'node:module'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCREENSHOTS } from './harness.js'
import { AppSession, photo } from './session.js'

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
const app = new AppSession()
const album = join(app.work, 'Summer 2019')
const SIZES = [
  { width: 1280, height: 800 },
  { width: 900, height: 600 },
]
const SCHEMES = ['light', 'dark'] as const

interface Violation {
  id: string
  impact: string | null
  nodes: Array<{ target: string[] }>
}

beforeAll(async () => {
  mkdirSync(album, { recursive: true })
  await photo(join(album, 'beach.jpg'), 1, 96, 64)
  await photo(join(album, 'dunes.jpg'), 2, 64, 96)
  writeFileSync(join(album, 'empty.jpg'), '') // a failure, so the queue shows one
  await app.start()
  app.dialogs.inputs = [album]
  await app.page.getByRole('button', { name: 'Add folder…' }).click()
  await app.page.locator('article[data-state="done"]').waitFor({ timeout: 60_000 })
}, 120_000)

afterAll(() => app.stop())

/** What each tab shows once opened with something in it. */
const SCREENS: Record<string, () => Promise<void>> = {
  Queue: async () => {
    await app.tab('Queue')
    await app.page.getByText('Done, 1 of 3 failed').waitFor()
  },
  Realism: async () => {
    await app.tab('Realism')
    if (await app.page.getByRole('img', { name: /^Preview at realism/ }).count()) return
    app.dialogs.inputs = [join(album, 'beach.jpg')]
    await app.page.getByRole('button', { name: 'Choose a photo…' }).click()
    await app.page.getByRole('img', { name: /^Preview at realism/ }).waitFor({ timeout: 60_000 })
  },
  Compare: async () => {
    await app.tab('Compare')
    const picker = app.page.getByRole('combobox', { name: 'Photo to compare' })
    if ((await picker.inputValue()) === '') await picker.selectOption({ index: 1 })
    await app.page.getByRole('img', { name: 'After' }).waitFor()
  },
  Models: async () => {
    await app.tab('Models')
    await app.page.getByRole('listitem').filter({ hasText: 'enhance-psnr-x4' }).waitFor()
  },
  Settings: async () => {
    await app.tab('Settings')
    await app.page.getByRole('combobox', { name: 'Tile size' }).waitFor()
    // With colours restored, so the Strength slider is on the screen too.
    await app.page.getByRole('combobox', { name: 'Colours' }).selectOption('restore')
    await app.page.getByRole('slider', { name: 'How far faded colours are restored' }).waitFor()
  },
}

async function seriousViolations(): Promise<string[]> {
  // Evaluated through the DevTools protocol: the app's Content-Security-Policy stays as it ships.
  if (!(await app.page.evaluate(() => 'axe' in globalThis)))
    await app.page.evaluate(readFileSync(AXE, 'utf8'))
  const violations = await app.page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: Violation[] }> } }).axe
    return (await axe.run()).violations
  })
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

describe('every screen, at two sizes, light and dark', () => {
  for (const scheme of SCHEMES)
    for (const size of SIZES)
      it(`${scheme}, ${size.width}×${size.height}: screenshots, and no serious accessibility violation`, async () => {
        await app.page.emulateMedia({ colorScheme: scheme })
        await app.page.setViewportSize(size)
        const found: Record<string, string[]> = {}
        for (const [name, open] of Object.entries(SCREENS)) {
          await open()
          mkdirSync(join(SCREENSHOTS, 'screens'), { recursive: true })
          await app.page.screenshot({
            path: join(SCREENSHOTS, 'screens', `${scheme}-${size.width}x${size.height}-${name}.png`),
          })
          const problems = await seriousViolations()
          if (problems.length) found[name] = problems
        }
        expect(found).toEqual({})
      }, 120_000)
})

describe('the queue at both sizes', () => {
  /** The vertical middle of each button and label in each of the toolbar's groups. */
  const middlesOfGroups = (): Promise<number[][]> =>
    app.page.locator('.toolbar').evaluate((bar) =>
      ['.actions', '.for-new-jobs'].map((group) =>
        [...bar.querySelectorAll(`${group} button, ${group} label`)].map((e) => {
          const box = e.getBoundingClientRect()
          return box.top + box.height / 2
        }),
      ),
    )

  for (const size of SIZES)
    it(`${size.width}×${size.height}: the toolbar is two rows, what to add and Clear finished above the settings for new jobs`, async () => {
      await app.page.setViewportSize(size)
      await SCREENS.Queue!()
      const [actions, settings] = await middlesOfGroups()
      expect(actions).toHaveLength(4)
      expect(settings).toHaveLength(2)
      expect(Math.max(...actions!) - Math.min(...actions!)).toBeLessThan(4)
      expect(Math.max(...settings!) - Math.min(...settings!)).toBeLessThan(4)
      expect(Math.min(...settings!)).toBeGreaterThan(Math.max(...actions!))
    })
})
