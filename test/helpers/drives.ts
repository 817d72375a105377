import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Real drives for tests, mounted with FUSE programs: a network drive (bindfs passing every call through to a folder
 * of this disk, so nothing written is lost) that can drop, come back, freeze and go on. Needs root and /dev/fuse.
 */

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/**
 * Whether this machine can mount drives with `programs`. CI installs them and runs as root: there, a drive that
 * cannot be mounted is a failure, not a skip.
 */
export function canMountWith(...programs: string[]): boolean {
  const can = process.getuid?.() === 0 && programs.every(hasCommand)
  const needs = `root, /dev/fuse, ${programs.join(' and ')}`
  if (!can && process.env.CI) throw new Error(`CI cannot mount drives: needs ${needs}`)
  if (!can) console.log(`skipped: needs ${needs} to mount drives`)
  return can
}

/** Each drive's mount point and the program serving it now. */
const mounts = new Map<string, ChildProcess>()

/** Ends every drive mounted here (for `afterAll`). */
export function unmountAll(): void {
  for (const [dir, program] of mounts) {
    program.kill('SIGKILL')
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' })
  }
  mounts.clear()
}

const isMounted = (dir: string) =>
  readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[1] === dir)

export async function until(done: () => boolean, what: string, ms = 10_000): Promise<void> {
  for (let waited = 0; !done(); waited += 20) {
    if (waited > ms) throw new Error(`timed out waiting: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Runs a FUSE program in the foreground (so this test holds its process) and waits for its drive to be there. */
export async function mount(command: string, args: string[], dir: string): Promise<ChildProcess> {
  mkdirSync(dir, { recursive: true })
  const program = spawn(command, args, { stdio: 'ignore' })
  mounts.set(dir, program)
  await until(() => isMounted(dir), `${command} at ${dir}`)
  return program
}

export interface NetworkDrive {
  dir: string
  /** Its connection is lost: every call answers ENOTCONN. */
  drop: () => void
  reconnect: () => Promise<void>
  /** Its server froze: every call waits, neither answered nor failed, until it goes on (`thaw`). */
  freeze: () => void
  thaw: () => void
}

/** A network drive at `work`/`name`: its files are kept in `name`-server, as a server keeps them. */
export async function networkDrive(work: string, name: string): Promise<NetworkDrive> {
  const dir = join(work, name)
  const server = join(work, `${name}-server`)
  mkdirSync(server, { recursive: true })
  let program = await mount('bindfs', ['-f', server, dir], dir)
  return {
    dir,
    drop: () => {
      program.kill('SIGKILL')
      // Synchronous, so the next call the command makes finds it gone.
      for (;;) {
        try {
          statSync(dir)
        } catch {
          return
        }
      }
    },
    reconnect: async () => {
      execFileSync('umount', ['-l', dir])
      program = await mount('bindfs', ['-f', server, dir], dir)
    },
    freeze: () => program.kill('SIGSTOP'),
    thaw: () => program.kill('SIGCONT'),
  }
}
