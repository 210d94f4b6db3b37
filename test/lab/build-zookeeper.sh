#!/bin/bash
# Build apache-zookeeper-3.8.0-bin.tar.gz, laid out like the upstream binary
# release, from Debian's zookeeper / libzookeeper-java packages.
#
#   test/lab/build-zookeeper.sh [OUTDIR]     (default: <repo>/build/dist)
#
# lib/   zookeeper.jar, zookeeper-jute.jar, every jar zookeeper.jar's manifest
#        Class-Path names (transitively), plus the jars upstream ships that
#        Debian wires up another way (logback, servlet API, the netty modules
#        netty-handler needs, jline 2 + jansi for the interactive zkCli).
#        Copied, not linked, renamed to artifactId-version.jar from their Maven
#        metadata, and with their Class-Path manifest entries removed so the
#        tree never reaches into /usr/share/java.
# bin/   zkServer.sh, zkCli.sh, zkCleanup.sh from Debian's package (they are
#        upstream's, and source zkEnv.sh next to them) + our zkEnv.sh, which
#        resolves everything relative to the tree as upstream's does.
# conf/  zoo_sample.cfg, logback.xml.
# Output is deterministic: sorted entries, fixed mtimes, owner 0, gzip -n.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUTDIR="${1:-$REPO/build/dist}"
VERSION="3.8.0"
TOP="apache-zookeeper-$VERSION-bin"
JAVA_DIR="/usr/share/java"
DEB_BIN="/usr/share/zookeeper/bin"
# 2022-03-07, roughly upstream 3.8.0's release; override with SOURCE_DATE_EPOCH.
EPOCH="${SOURCE_DATE_EPOCH:-1646611200}"

die() { echo "build-zookeeper: $*" >&2; exit 1; }

for t in unzip zip tar gzip; do
	command -v "$t" >/dev/null 2>&1 || die "missing $t (see test/lab/APT_PACKAGES)"
done
[ -f "$JAVA_DIR/zookeeper.jar" ] || die "Debian's libzookeeper-java is not installed (apt-get install zookeeper)"
[ -f "$DEB_BIN/zkServer.sh" ] || die "Debian's zookeeper package is not installed (apt-get install zookeeper)"

mkdir -p "$OUTDIR"
OUTDIR="$(cd "$OUTDIR" && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/zk-build.XXXXXX")"
trap 'rm -rf -- "$WORK"' EXIT
ROOT="$WORK/$TOP"
mkdir -p "$ROOT/bin" "$ROOT/conf" "$ROOT/lib"

# Class-Path entries of a jar's manifest, one per line.
manifest_classpath() {
	unzip -p "$1" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\r' | awk '
		/^Class-Path:/ { c = 1; s = substr($0, 12); next }
		c && /^ / { s = s substr($0, 2); next }
		{ c = 0 }
		END { n = split(s, a, " "); for (i = 1; i <= n; i++) print a[i] }'
}

# Jars to ship: closure over Class-Path starting from zookeeper.jar.
declare -A seen=()
queue=("$JAVA_DIR/zookeeper.jar" "$JAVA_DIR/zookeeper-jute.jar")
missing=()
jars=()
while [ "${#queue[@]}" -gt 0 ]; do
	j="${queue[0]}"
	queue=("${queue[@]:1}")
	[ -n "${seen[$j]:-}" ] && continue
	seen[$j]=1
	if [ ! -e "$j" ]; then
		missing+=("$j")
		continue
	fi
	jars+=("$j")
	while read -r cp; do
		[ -n "$cp" ] && queue+=("$cp")
	done < <(manifest_classpath "$j")
done

# Jars of upstream's lib/ that Debian's manifest does not name:
#   logback-classic/-core  the SLF4J binding upstream 3.8 ships (Debian's
#                          manifest names slf4j-api only: no binding at all)
#   servlet-api            javax.servlet for jetty (AdminServer)
#   netty-codec/-resolver/-transport-native-unix-common  needed by
#                          netty-handler / netty-transport-native-epoll
#   jline2 + jansi1        interactive zkCli (Debian names jline.jar, which is
#                          jline 1 and not installed: zkCli would have no
#                          line editing)
extras=(logback-classic logback-core servlet-api netty-codec netty-resolver
	netty-transport-native-unix-common jline2 jansi1)
for e in "${extras[@]}"; do
	j="$JAVA_DIR/$e.jar"
	[ -e "$j" ] || die "missing $j (see test/lab/APT_PACKAGES)"
	[ -n "${seen[$j]:-}" ] || { seen[$j]=1; jars+=("$j"); }
done

for m in "${missing[@]+"${missing[@]}"}"; do
	case "$m" in
	*/jline.jar) ;; # replaced by jline2 above
	*) echo "build-zookeeper: warning: manifest names $m, which is not installed" >&2 ;;
	esac
done

# Upstream-style file name: artifactId-version.jar from the jar's single Maven
# pom.properties; else the versioned name Debian's symlink resolves to.
jar_name() {
	local j="$1" props real aid ver
	props="$(unzip -Z1 "$j" 2>/dev/null | grep -E '^META-INF/maven/.*/pom\.properties$' || true)"
	if [ -n "$props" ] && [ "$(printf '%s\n' "$props" | wc -l)" = 1 ]; then
		aid="$(unzip -p "$j" "$props" | tr -d '\r' | sed -n 's/^artifactId=//p' | head -n1)"
		ver="$(unzip -p "$j" "$props" | tr -d '\r' | sed -n 's/^version=//p' | head -n1)"
		if [ -n "$aid" ] && [ -n "$ver" ]; then
			echo "$aid-$ver.jar"
			return
		fi
	fi
	real="$(readlink -f "$j")"
	local base l
	base="$(basename "$real")"
	if ! [[ "$base" =~ [0-9] ]]; then
		# e.g. netty-common.jar <- netty-common-4.1.48.Final.jar (a symlink)
		for l in "$(dirname "$real")/${base%.jar}"-[0-9]*.jar; do
			if [ -L "$l" ] && [ "$(readlink -f "$l")" = "$real" ]; then
				base="$(basename "$l")"
				break
			fi
		done
	fi
	echo "$base"
}

touch_fixed() { touch -h -d "@$EPOCH" "$@"; }

for j in "${jars[@]}"; do
	name="$(jar_name "$j")"
	dest="$ROOT/lib/$name"
	[ -e "$dest" ] && die "two jars map to lib/$name"
	cp -L -- "$j" "$dest"
	chmod 0644 "$dest"
	if [ -n "$(manifest_classpath "$dest")" ]; then
		# Drop Class-Path (absolute /usr/share/java paths) from the copy.
		mdir="$WORK/manifest"
		rm -rf "$mdir"
		mkdir -p "$mdir/META-INF"
		unzip -p "$dest" META-INF/MANIFEST.MF | tr -d '\r' | awk '
			/^Class-Path:/ { c = 1; next }
			c && /^ / { next }
			{ c = 0; print }' | sed -e 's/$/\r/' >"$mdir/META-INF/MANIFEST.MF"
		touch_fixed "$mdir/META-INF/MANIFEST.MF"
		(cd "$mdir" && zip -q -X "$dest" META-INF/MANIFEST.MF)
	fi
done

# Scripts: Debian's server/cli/cleanup scripts (upstream's, locating zkEnv.sh
# next to themselves), checked for Debian paths; our zkEnv.sh.
for s in zkServer.sh zkCli.sh zkCleanup.sh; do
	cp -- "$DEB_BIN/$s" "$ROOT/bin/$s"
	if grep -n -E '/etc/zookeeper|/var/log/zookeeper|/var/lib/zookeeper|/usr/share/(java|zookeeper)' "$ROOT/bin/$s"; then
		die "Debian's $s refers to Debian paths: review the patch above"
	fi
done
cp -- "$HERE/zookeeper/bin/zkEnv.sh" "$ROOT/bin/zkEnv.sh"
chmod 0755 "$ROOT/bin/"*.sh
cp -- "$HERE/zookeeper/conf/zoo_sample.cfg" "$HERE/zookeeper/conf/logback.xml" "$ROOT/conf/"
chmod 0644 "$ROOT/conf/"*

# Notices and a note on where this came from.
cp -- /usr/share/doc/zookeeper/NOTICE.txt "$ROOT/NOTICE.txt"
cp -- /usr/share/doc/zookeeper/copyright "$ROOT/LICENSE-debian-copyright.txt"
deb_ver="$(dpkg-query -W -f='${Version}' libzookeeper-java 2>/dev/null || echo unknown)"
{
	echo "Apache ZooKeeper $VERSION, binary layout, assembled by zkafka's test/lab/build-zookeeper.sh"
	echo "from Debian's zookeeper/libzookeeper-java $deb_ver and the Debian packages of its dependencies."
	echo
	echo "Not included: zookeeper-prometheus-metrics (Debian does not package it), so"
	echo "metricsProvider.className=...PrometheusMetricsProvider fails to load."
	echo
	echo "lib/:"
	(cd "$ROOT/lib" && ls -1 | sed -e 's/^/  /')
} >"$ROOT/README-zkafka.txt"
chmod 0644 "$ROOT"/*.txt

find "$ROOT" -exec touch -h -d "@$EPOCH" {} +

OUT="$OUTDIR/$TOP.tar.gz"
tar --sort=name --mtime="@$EPOCH" --owner=0 --group=0 --numeric-owner \
	--format=gnu -C "$WORK" -cf - "$TOP" | gzip -n -9 >"$OUT.tmp"
mv -- "$OUT.tmp" "$OUT"
echo "$OUT"
