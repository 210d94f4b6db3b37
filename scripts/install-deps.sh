#!/usr/bin/env bash
# Installs the Debian packages the lab and the ZooKeeper and Kafka builds need (only the missing
# ones), then the npm dependencies. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=$(cat test/lab/APT_PACKAGES | sed 's/#.*//' | tr -s '[:space:]' '\n' | sort -u)
missing=()
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
