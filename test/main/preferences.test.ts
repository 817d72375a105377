import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PreferencesFile } from '../../src/main/services/preferences.js'
import { DEFAULT_PREFERENCES } from '../../src/shared/preferences.js'
import { isColour, settingsSchema } from '../../src/shared/settings-schema.js'
import { codeOf } from '../helpers/errors.js'

const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'enhance-prefs-')), 'preferences.json')
const onDisk = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'))

describe('the settings store', () => {
  it('starts from the defaults and keeps what is changed across a restart', async () => {
    const path = fresh()
    const store = new PreferencesFile(path)
    expect(store.get()).toEqual(DEFAULT_PREFERENCES)
    await store.update({
      device: 'cpu',
      precision: 'int8',
      naming: '{name}_x{scale}',
      output: { format: 'webp' },
    })
    // Output fields merge: this change keeps the format set above.
    await store.update({ output: { quality: 80 } })
    const reopened = new PreferencesFile(path).get()
    expect(reopened).toMatchObject({ device: 'cpu', precision: 'int8', naming: '{name}_x{scale}' })
    expect(reopened.output).toMatchObject({ format: 'webp', quality: 80, tile: 'auto' })
  })

  it('refuses a bad value with a coded error and changes nothing', async () => {
    const path = fresh()
    const store = new PreferencesFile(path)
    await store.update({ policy: 'overwrite' })
    const before = readFileSync(path, 'utf8')
    for (const bad of [
      { naming: 'photo' },
      { naming: '../{name}' },
      { realism: 1.5 },
      { device: 'tpu' },
      { precision: 'int4' },
      { output: { quality: 0 } },
      { output: { tile: 8 } },
      { output: { background: 'notacolour' } },
      { model: { path: 7 } },
    ]) {
      expect(await codeOf(() => store.update(bad as never))).toBe('INVALID_ARGUMENT')
    }
    expect(readFileSync(path, 'utf8')).toBe(before)
    expect(store.get().policy).toBe('overwrite')
  })

  it('reads a file saved when realism and transparency were both called alpha', () => {
    const path = fresh()
    const { transparency, ...rest } = DEFAULT_PREFERENCES.output
    const { realism, ...others } = DEFAULT_PREFERENCES
    expect([transparency, realism]).toEqual(['lanczos', 0.5])
    const legacyOutput = { ...rest, alpha: 'model' }
    writeFileSync(path, JSON.stringify({ ...others, alpha: 0.8, output: legacyOutput }))
    const read = new PreferencesFile(path).get()
    expect(read.realism).toBe(0.8)
    expect(read.output).toEqual({ ...DEFAULT_PREFERENCES.output, transparency: 'model' })
    // The queue's journal reads its jobs' settings through the same schema.
    expect(settingsSchema.parse(legacyOutput)).toEqual({
      ...DEFAULT_PREFERENCES.output,
      transparency: 'model',
    })
  })

  it('reads a file saved before the precision setting existed as automatic', () => {
    const path = fresh()
    const { precision, ...older } = { ...DEFAULT_PREFERENCES, device: 'cpu' as const }
    expect(precision).toBe('auto')
    writeFileSync(path, JSON.stringify(older))
    expect(new PreferencesFile(path).get()).toMatchObject({ device: 'cpu', precision: 'auto' })
  })

  it('sets an unreadable file aside and starts from the defaults', () => {
    const path = fresh()
    writeFileSync(path, '{"device": "cpu", "naming": ')
    expect(new PreferencesFile(path).get()).toEqual(DEFAULT_PREFERENCES)
    expect(existsSync(`${path}.bad`)).toBe(true)
  })

  it('a burst of changes (a dragged slider) ends with the last one on disk', async () => {
    const path = fresh()
    const store = new PreferencesFile(path)
    const realisms = Array.from({ length: 50 }, (_, i) => i / 49)
    await Promise.all(realisms.map((realism) => store.update({ realism })))
    expect(onDisk(path)).toMatchObject({ realism: 1 })
  })

  it('flush waits for a change nobody awaited, as quitting does', async () => {
    const path = fresh()
    const store = new PreferencesFile(path)
    void store.update({ realism: 0.25 })
    await store.flush()
    expect(new PreferencesFile(path).get().realism).toBe(0.25)
    await store.flush() // nothing pending: resolves at once
  })
})

describe('the background colour', () => {
  it('is what sharp reads as a colour, whatever the surface: a word that is no colour is refused', () => {
    const colours = ['white', '#abc', '#A0B1C2', 'rgb(10, 20, 30)', 'rebeccapurple', 'notacolour', '#12', '']
    expect(colours.map(isColour)).toEqual([true, true, true, true, true, false, false, false])
    const background = (value: string) =>
      settingsSchema.safeParse({ ...DEFAULT_PREFERENCES.output, background: value }).success
    expect([background('white'), background('notacolour')]).toEqual([true, false])
  })
})
