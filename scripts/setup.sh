#!/usr/bin/env bash
# Installs everything tinykube and its tests need on a fresh Debian 12 machine (Node.js 20 present):
# npm dependencies (better-sqlite3 builds from source), and kubectl from Debian when none is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v kubectl >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq kubernetes-client || echo "setup: no kubectl available; kubectl end-to-end tests will be skipped"
fi
npm ci --no-audit --no-fund
