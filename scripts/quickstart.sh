#!/usr/bin/env bash
# One command from a fresh clone: installs (offline-safe) and enhances a photo with the bundled models.
#   bash scripts/quickstart.sh <photo-or-folder> [output-folder] [more enhance flags...]
# Works from any folder: the paths are taken relative to where it is run, before it moves to the clone.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: bash scripts/quickstart.sh <photo-or-folder> [output-folder] [enhance flags...]" >&2
  exit 2
fi
input=$(realpath -m -- "$1")
out=$(realpath -m -- "${2:-enhanced}")
shift $(( $# >= 2 ? 2 : 1 ))
cd "$(dirname "$0")/.."
if [ ! -d node_modules/onnxruntime-node ]; then
  npm ci --no-audit --no-fund
fi
# Install scripts are off (.npmrc), so the CLI is built here rather than by npm's "prepare".
if [ ! -f dist/src/cli/main.js ]; then
  npm run --silent build:node
fi
node bin/enhance.js "$input" --out "$out" "$@"
