#!/usr/bin/env bash
# One command from a fresh clone: installs (offline-safe) and enhances a photo with the bundled models.
#   bash scripts/quickstart.sh <photo-or-folder> [output-folder] [more enhance flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
  echo "usage: bash scripts/quickstart.sh <photo-or-folder> [output-folder] [enhance flags...]" >&2
  exit 2
fi
input=$1
out=${2:-enhanced}
shift $(( $# >= 2 ? 2 : 1 ))
if [ ! -f dist/src/cli/main.js ] || [ ! -d node_modules/onnxruntime-node ]; then
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
fi
node bin/enhance.js "$input" --out "$out" "$@"
