import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Where Enhance keeps its data (the queue, installed models, the engine's measurements and paused photos):
 * `ENHANCE_DATA_DIR` when set (a service's or a container's own folder), else Electron's userData folder for an
 * app named "Enhance", so the app and the CLI share one queue.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env['ENHANCE_DATA_DIR']) return env['ENHANCE_DATA_DIR']
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Enhance')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Enhance')
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'Enhance')
}
