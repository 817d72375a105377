#!/usr/bin/env node
import { existsSync } from 'node:fs'

const entry = new URL('../dist/src/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write(
    'error INTERNAL: Enhance is not built yet. Run "npm run build:node" first (scripts/quickstart.sh does it).\n',
  )
  process.exit(1)
}
// A terminal closed under the command leaves what is still written to it failing (EIO): that is dropped, and
// the command, told by SIGHUP, still pauses and keeps the photo's tiles.
process.stderr.on('error', () => {})
const { main } = await import(entry.href)
process.exitCode = await main(process.argv.slice(2))
