import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { fitLiveLine, shortenName } from '../../src/cli/live-line.js'
import { humanReporter } from '../../src/cli/report.js'
import { writeIdentityModel } from '../helpers/models.js'

const CLI = new URL('../../bin/enhance.js', import.meta.url).pathname
const PHONE = 'a very long file name from a phone 2019-07-14 18.22.31 (edited copy).jpg'
const line = (name: string) => ({
  position: '[12/250]',
  name,
  tiles: { done: 12, of: 48 },
  tail: [' 12/48 tiles', ' · 14s left', ' · all 1h02m'],
})

describe('the live line fitted to the terminal', () => {
  it('keeps everything where the width is unknown (not a terminal, or one that does not say)', () => {
    expect(fitLiveLine(line('IMG_0001.JPG'), undefined)).toBe(
      `[12/250] IMG_0001.JPG ${'█'.repeat(6)}${'░'.repeat(18)} 12/48 tiles · 14s left · all 1h02m`,
    )
  })

  it('narrows the bar before cutting the name, cuts the name in its middle, then lets the times go', () => {
    const at = (columns: number) => fitLiveLine(line('IMG_20190714_182231.jpg'), columns)
    expect(at(80)).toBe('[12/250] IMG_20190714_182231.jpg ███░░░░░░░░ 12/48 tiles · 14s left · all 1h02m')
    expect(at(60)).toBe('[12/250] IMG_2019…82231.jpg ██░░░░░░ 12/48 tiles · 14s left')
    expect(at(40)).toBe('[12/250] IMG_2019…82231.jpg 12/48 tiles')
    expect(at(20)).toBe('[12/250] IMG…31.jpg')
  })

  it('never takes the last column, at any width from 8 to 160, with ASCII names', () => {
    for (const name of [PHONE, 'IMG_0001.JPG', 'x', 'no-extension-but-a-rather-long-name'])
      for (let columns = 8; columns <= 160; columns++) {
        const fitted = fitLiveLine(line(name), columns)
        expect(fitted.length, `${name} at ${columns}`).toBeLessThanOrEqual(columns - 1)
      }
  })

  it('counts wide characters as two cells and never splits an emoji sequence', () => {
    // 家族の写真 is five wide characters: ten cells.
    expect(shortenName('家族の写真 1962年 夏休み 海辺にて.jpg', 15)).toBe('家族の…にて.jpg')
    expect(fitLiveLine(line('家族の写真 1962年 夏休み 海辺にて.jpg'), 40)).toBe(
      '[12/250] 家族の写…にて.jpg 12/48 tiles',
    )
    const family = '👨‍👩‍👧 family 🎉🎉🎉.png'
    expect(shortenName(family, 12)).toBe('👨‍👩‍👧 fa…🎉.png')
  })

  it('cuts a name to its extension and an ellipsis at the least', () => {
    expect(shortenName(PHONE, 8)).toBe('a …).jpg')
    expect(shortenName(PHONE, 3)).toBe('a …')
    expect(shortenName(PHONE, 1)).toBe('…')
    expect(shortenName('short.jpg', 9)).toBe('short.jpg')
  })

  it('the reporter redraws within the width it reads at each redraw, as a terminal is resized', () => {
    let text = ''
    let columns = 100
    const reporter = humanReporter(
      (t) => (text += t),
      true,
      () => columns,
    )
    reporter.emit({ event: 'item', item: `/album/${PHONE}`, index: 1, total: 3, output: '/o/x.jpg' })
    reporter.emit({
      event: 'progress',
      item: `/album/${PHONE}`,
      tile: 1,
      tiles: 4,
      etaMs: 3000,
      batchEtaMs: null,
    })
    columns = 40
    reporter.emit({
      event: 'progress',
      item: `/album/${PHONE}`,
      tile: 2,
      tiles: 4,
      etaMs: 2000,
      batchEtaMs: null,
    })
    const redraws = text.split('\r\x1b[2K').filter(Boolean)
    // Preparing, at 100 columns: the whole name fits.
    expect(redraws.map((r) => r.length)).toEqual([91, 99, 39])
    expect(redraws[2]).toBe('[1/3] a very long…d copy).jpg 2/4 tiles')
  })
})

/** The command run on a real terminal of 40 columns (a pseudo-terminal, `script`): what the terminal was sent. */
async function onTerminal(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'enhance-narrow-'))
  mkdirSync(join(work, 'album'))
  const noise = { type: 'gaussian', mean: 128, sigma: 40 } as const
  await sharp({ create: { width: 128, height: 96, channels: 3, background: '#000', noise } })
    .jpeg()
    .toFile(join(work, 'album', name))
  const model = writeIdentityModel(work, 4, 1, 2)
  const command = [CLI, join(work, 'album'), '--out', join(work, 'out'), '--queue-dir', join(work, 'queue')]
    .concat(['--model', model, '--device', 'cpu', '--tile', '16'])
    .map((arg) => `'${arg}'`)
    .join(' ')
  const run = spawnSync(
    'script',
    ['-qfc', `stty cols 40 rows 24; exec '${process.execPath}' ${command}`, '/dev/null'],
    {
      encoding: 'utf8',
      env,
    },
  )
  expect(run.status).toBe(0)
  return run.stdout
}

describe('the live line on a real 40-column terminal', () => {
  it('every redraw of a photo with a long name fits on one row', async () => {
    const redraws = (await onTerminal(PHONE))
      .split('\r\x1b[2K')
      .map((r) => r.split(/\r?\n/)[0]!)
      .filter((r) => r.startsWith('[1/1]'))
    expect(redraws.length).toBeGreaterThan(10) // 48 tiles of 16 px
    for (const redraw of redraws) expect([...redraw].length, redraw).toBeLessThanOrEqual(39)
    expect(redraws.at(-1)).toBe('[1/1] a very lon… copy).jpg 48/48 tiles')
  }, 60_000)

  it('a terminal that cannot redraw (TERM=dumb, as in Emacs) gets plain lines, without escape codes', async () => {
    const sent = await onTerminal('scan.jpg', { ...process.env, TERM: 'dumb' })
    expect(sent).not.toContain('\x1b')
    expect(
      sent
        .split('\r\n')
        .filter(Boolean)
        .map((line) => line.replace(/ \(.*\)$/, '').replace(/\/tmp\S*\//g, '')),
    ).toEqual([
      '✓ scan.jpg → scan.jpg',
      expect.stringMatching(/^1 enhanced, 0 failed, 0 skipped in \d+\.\d s$/),
    ])
  }, 60_000)
})
