import { execFileSync } from 'node:child_process'

/** The end-to-end tests load the renderer exactly as built for the app. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], {
    stdio: 'inherit',
  })
}
