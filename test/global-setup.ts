import { execFileSync } from 'node:child_process'

/** The engine process runs compiled JavaScript (dist/), so build it once before the suites. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  })
}
