import { homedir } from 'node:os'
import { join } from 'node:path'

/** Electron's userData folder for an app named "Enhance", so the app and the CLI share one queue. */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Enhance')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Enhance')
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'Enhance')
}
