#!/usr/bin/env bash
# Installs everything tinykube and its tests need on a fresh Debian 12 machine (Node.js 20 present):
# the container runtime pieces from Debian (runc, conmon, CNI plugins, catatonit), busybox-static,
# docker-registry and skopeo for the image fixtures, podman as the benchmarks' reference, kubectl
# from Debian only when none is installed, and the npm dependencies (better-sqlite3 builds from source).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
PACKAGES=(runc conmon podman skopeo containernetworking-plugins catatonit busybox-static docker-registry iproute2 iptables mount util-linux attr bsdutils coreutils procps)
command -v kubectl >/dev/null 2>&1 || PACKAGES+=(kubernetes-client)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
npm ci --no-audit --no-fund
