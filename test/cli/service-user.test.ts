import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { defaultDataDir } from '../../src/node/paths.js'
import { writeIdentityModel } from '../helpers/models.js'

const CLI = new URL('../../bin/enhance.js', import.meta.url).pathname

describe("Enhance's data folder", () => {
  it('is ENHANCE_DATA_DIR when set, on every system, and else the app’s own', () => {
    const env = {
      ENHANCE_DATA_DIR: '/srv/enhance',
      XDG_CONFIG_HOME: '/home/ann/.config',
      APPDATA: 'C:\\Roaming',
    }
    for (const platform of ['linux', 'darwin', 'win32'] as const)
      expect(defaultDataDir(env, platform)).toBe('/srv/enhance')
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/home/ann/.config' }, 'linux')).toBe(
      '/home/ann/.config/Enhance',
    )
  })

  // A service's user (systemd, cron) or a container run as another user often has a home it may not write.
  it.runIf(process.getuid?.() === 0 && existsSync('/usr/bin/setpriv'))(
    'run as a user whose home is not its own: the queue folder is refused with what to set, then ENHANCE_DATA_DIR works',
    async () => {
      const work = mkdtempSync(join(tmpdir(), 'enhance-service-'))
      chmodSync(work, 0o777)
      const photo = join(work, 'photo.png')
      await sharp({ create: { width: 24, height: 16, channels: 3, background: '#806040' } })
        .png()
        .toFile(photo)
      const model = writeIdentityModel(work)
      chmodSync(model, 0o644)
      const asNobody = (env: Record<string, string>) =>
        spawnSync(
          'setpriv',
          [
            '--reuid=65534',
            '--regid=65534',
            '--clear-groups',
            process.execPath,
            CLI,
            photo,
            '--model',
            model,
          ],
          {
            encoding: 'utf8',
            env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent', ...env },
          },
        )
      const refused = asNobody({})
      expect([refused.status, refused.stderr.trim()]).toEqual([
        1,
        'error PERMISSION_DENIED: Enhance keeps its queue in /nonexistent/.config/Enhance/queue, which this user may ' +
          'not make or write (EACCES). Name a folder it may write with --queue-dir, or set ENHANCE_DATA_DIR to one for ' +
          'all its data (queue, models, measurements).',
      ])
      const data = join(work, 'data')
      const ran = asNobody({ ENHANCE_DATA_DIR: data })
      expect(ran.status).toBe(0)
      expect(readdirSync(join(work, 'Enhanced'))).toEqual(['photo.png'])
      expect(readdirSync(data)).toContain('queue')
    },
    60_000,
  )
})
