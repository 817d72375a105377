import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { writeIdentityModel } from '../helpers/models.js'

const BIN = fileURLToPath(new URL('../../bin/enhance.js', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'enhance-permissions-'))
const album = join(work, 'album')
let model = ''

/**
 * The real command as a user whom permissions bind. Root reads every file whatever its mode through two
 * capabilities, so as root it runs without them (util-linux's setpriv, in every Debian); anyone else, as is.
 */
function enhanceAsUser(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const command = [BIN, ...args, '--model', model, '--device', 'cpu', '--tile', '16']
  const [program, argv] =
    process.getuid?.() === 0
      ? ['setpriv', ['--bounding-set=-dac_override,-dac_read_search', process.execPath, ...command]]
      : [process.execPath, command]
  return spawnSync(program, argv, { encoding: 'utf8' })
}

async function photo(path: string): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true })
  await sharp({ create: { width: 8, height: 8, channels: 3, background: '#806040' } })
    .png()
    .toFile(path)
}

beforeAll(async () => {
  model = writeIdentityModel(work)
  await photo(join(album, 'open', 'a.png'))
  await photo(join(album, 'locked', 'b.png'))
  await photo(join(album, 'unreadable.png'))
  chmodSync(join(album, 'locked'), 0o000)
  chmodSync(join(album, 'unreadable.png'), 0o000)
})

const REMEDY =
  '(Properties or Get Info), or on a Mac allow Enhance in System Settings › Privacy & Security › Files and Folders'

describe('photos and folders the system does not let Enhance read', () => {
  it('leaves out a folder it may not open, fails only the photo it may not read, and enhances the rest', () => {
    const out = join(work, 'out')
    const run = enhanceAsUser([
      album,
      '--recursive',
      '--out',
      out,
      '--queue-dir',
      join(work, 'queue'),
      '--json',
    ])
    expect(run.status).toBe(1)
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(events.find((e) => e['event'] === 'left-out')).toEqual({
      event: 'left-out',
      files: { folder: 1 },
      message: `Left out 1 folder the system does not let Enhance open. Give your account permission to read it ${REMEDY}, then add it again.`,
    })
    expect(events.filter((e) => e['event'] === 'failed')).toEqual([
      {
        event: 'failed',
        item: join(album, 'unreadable.png'),
        code: 'PERMISSION_DENIED',
        message: `${join(album, 'unreadable.png')} cannot be opened: the system does not let Enhance read it. Give your account permission to read it ${REMEDY}, then try again.`,
      },
    ])
    expect(events.at(-1)).toMatchObject({ event: 'summary', done: 1, failed: 1 })
    expect(readdirSync(out, { recursive: true }).sort()).toEqual(['open', join('open', 'a.png')])
  })

  it('refuses a folder named to be enhanced that it may not open, and writes nothing', () => {
    const locked = join(album, 'locked')
    const out = join(work, 'out-locked')
    const run = enhanceAsUser([locked, '--out', out, '--queue-dir', join(work, 'queue-locked')])
    expect(run.status).toBe(1)
    expect(run.stderr).toBe(
      `error PERMISSION_DENIED: ${locked} cannot be opened: the system does not let Enhance read it. Give your account permission to read it ${REMEDY}, then try again.\n`,
    )
    expect(existsSync(out)).toBe(false)
  })
})
