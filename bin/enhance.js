#!/usr/bin/env node
import { existsSync } from 'node:fs'

const entry = new URL('../dist/src/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write(
    'error INTERNAL: Enhance is not built yet. Run "npm run build:node" first (scripts/quickstart.sh does it).\n',
  )
  process.exit(1)
}
// What is still written after its reader went away (a terminal closed: EIO; \`| head\` done: EPIPE) or its file
// filled its disk (ENOSPC) is dropped, not left to end the command uncaught: a batch pauses on the hang-up or the full
// disk, and cancels its job when nobody reads.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {})
const { main } = await import(entry.href)
process.exitCode = await main(process.argv.slice(2))
