#!/usr/bin/env bash
# Debian packages the tests, fixtures and training need. Installs only what is missing.
set -euo pipefail
PACKAGES=(python3-torch python3-numpy python3-pil python3-pytest chromium libimage-exiftool-perl)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "all present: ${PACKAGES[*]}"
fi
