import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { printableFields, printableLines } from '../../src/cli/printable.js'
import { printable } from '../../src/shared/printable.js'
import { humanReporter } from '../../src/cli/report.js'

const BIN = fileURLToPath(new URL('../../bin/enhance.js', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'enhance-printable-'))
/** A photo's name that clears a terminal, turns its text red and rings its bell. */
const HOSTILE = 'beach\x1b[2J\x1b[31mFAKE\x07.jpg'
const SHOWN = 'beach\\x1b[2J\\x1b[31mFAKE\\x07.jpg'

describe('names on a terminal', () => {
  it('shows the characters a terminal acts on as their codes, and every other character as it is', () => {
    expect(printable(HOSTILE)).toBe(SHOWN)
    expect(printable('a\rb\nc\x7fd\x9be\u202egpj.exe')).toBe('a\\x0db\\x0ac\\x7fd\\x9be\\u202egpj.exe')
    expect(printable('Née\tà Paris 📷 写真.heic')).toBe('Née\tà Paris 📷 写真.heic')
    expect(printableLines(`one\x1b]0;title\x07\ntwo`)).toBe('one\\x1b]0;title\\x07\ntwo')
    expect(printableFields({ item: HOSTILE, index: 1 })).toEqual({ item: SHOWN, index: 1 })
  })

  it('the report shows a hostile name on a terminal, and keeps its bytes in a log', () => {
    const events = [
      { event: 'item', item: `/a/${HOSTILE}`, index: 1, total: 1, output: '/o/x.png' },
      { event: 'failed', item: `/a/${HOSTILE}`, code: 'CORRUPT_IMAGE', message: `/a/${HOSTILE} is damaged.` },
    ] as const
    let terminal = ''
    const live = humanReporter((t) => (terminal += t), true)
    for (const event of events) live.emit(event)
    expect(terminal).toBe(
      `\r\x1b[2K[1/1] ${SHOWN} · preparing…\r\x1b[2K✗ /a/${SHOWN}: CORRUPT_IMAGE: /a/${SHOWN} is damaged.\n`,
    )
    let log = ''
    const logged = humanReporter((t) => (log += t), false)
    for (const event of events) logged.emit(event)
    expect(log).toBe(`✗ /a/${HOSTILE}: CORRUPT_IMAGE: /a/${HOSTILE} is damaged.\n`)
  })

  it('the command shows it escaped on a terminal and writes it as it is into a pipe', () => {
    const photo = join(work, HOSTILE)
    const args = [BIN, photo, '--out', join(work, 'out'), '--queue-dir', join(work, 'queue')]
    const piped = spawnSync(process.execPath, args, { encoding: 'utf8' })
    expect(piped.stderr).toContain(`error FILE_NOT_FOUND: ${photo} is not there`)
    // util-linux's script(1) runs the command on a pseudo-terminal, as a user's shell does.
    const quoted = args.map((a) => `'${a}'`).join(' ')
    const terminal = spawnSync('script', ['-qec', `'${process.execPath}' ${quoted}`, '/dev/null'], {
      encoding: 'utf8',
    })
    expect(terminal.status).toBe(1)
    expect(terminal.stdout).toContain(`error FILE_NOT_FOUND: ${join(work, SHOWN)} is not there`)
    expect(terminal.stdout).not.toContain('\x1b[2J')
  })
})
