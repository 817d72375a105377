#!/usr/bin/env node
import { existsSync } from 'node:fs'

const entry = new URL('../dist/src/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write(
    'error INTERNAL: Enhance is not built yet. Run "npm run build:node" first (scripts/quickstart.sh does it).\n',
  )
  process.exit(1)
}
const { main } = await import(entry.href)
process.exitCode = await main(process.argv.slice(2))
