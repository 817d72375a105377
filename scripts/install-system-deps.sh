#!/usr/bin/env bash
# Debian packages the tests, fixtures and training need. Installs only what is missing.
# WebGPU needs a Vulkan driver Dawn accepts: Debian 12's lavapipe (Mesa 22.3) is refused
# ("shaderUniform*ArrayDynamicIndexing required"), so Mesa 25 comes from bookworm-backports.
set -euo pipefail
PACKAGES=(python3-torch python3-numpy python3-pil python3-pytest chromium libimage-exiftool-perl libheif-examples exfatprogs exfat-fuse bindfs rclone)
BACKPORTS=(mesa-vulkan-drivers libvulkan1)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
backports_list=/etc/apt/sources.list.d/bookworm-backports.list
lavapipe_is_new() { dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -q '^2[5-9]\.'; }
if ((${#missing[@]})) || ! lavapipe_is_new; then
  if grep -q bookworm /etc/os-release && ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d; then
    echo 'deb http://deb.debian.org/debian bookworm-backports main' >"$backports_list"
  fi
  apt-get update -qq
  if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if grep -q bookworm /etc/os-release; then
    echo "installing from bookworm-backports: ${BACKPORTS[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports "${BACKPORTS[@]}" >/dev/null
  else
    echo "not Debian 12: install a Mesa >= 25 lavapipe (${BACKPORTS[*]}) for the WebGPU tests yourself"
  fi
else
  echo "all present: ${PACKAGES[*]} ${BACKPORTS[*]} (Mesa $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers))"
fi
