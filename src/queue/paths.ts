import { homedir } from 'node:os'
import { isAbsolute, join, relative, resolve } from 'node:path'

/** Electron's userData folder for an app named "Enhance", so the app and the CLI share one queue. */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Enhance')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Enhance')
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'Enhance')
}

export function defaultQueueDir(): string {
  return join(defaultDataDir(), 'queue')
}

/** Whether `path` lies strictly inside `folder` (after resolving both): where a job may write. */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(resolve(folder), resolve(path))
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}
