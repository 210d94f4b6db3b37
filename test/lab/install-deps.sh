#!/bin/bash
# Install the Debian packages the lab and build-zookeeper.sh need (listed in
# APT_PACKAGES next to this script), only those missing.  Needs root.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
missing=()
while read -r pkg; do
	pkg="${pkg%%#*}"
	pkg="$(echo "$pkg" | tr -d '[:space:]')"
	[ -n "$pkg" ] || continue
	if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]; then
		missing+=("$pkg")
	fi
done <"$HERE/APT_PACKAGES"
if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps: all packages present"
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
