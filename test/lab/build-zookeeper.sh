#!/bin/bash
# Build apache-zookeeper-VERSION-bin.tar.gz, laid out like the upstream binary
# release, from the genuine Apache jars on Maven Central.
#
#   test/lab/build-zookeeper.sh [--version VERSION] [OUTDIR]
#       VERSION: 3.8.0 (default, the runbook's), 3.8.3, 3.9.3, 3.9.4
#       OUTDIR:  default <repo>/build/dist
#
# lib/   zookeeper, zookeeper-jute, zookeeper-prometheus-metrics and the jars
#        the upstream binary release ships with them, resolved by Maven (a pom
#        in a temporary directory; the local repository is reused, so a second
#        build downloads nothing).
# bin/   zkServer.sh, zkCli.sh, zkCleanup.sh from Debian's package (they are
#        upstream's, and source zkEnv.sh next to them) + our zkEnv.sh, which
#        resolves everything relative to the tree as upstream's does.
# conf/  zoo_sample.cfg, logback.xml.
# Output is deterministic: sorted entries, fixed mtimes, owner 0, gzip -n.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=maven-jars.sh
. "$HERE/maven-jars.sh"
REPO="$(cd "$HERE/../.." && pwd)"
die() { echo "build-zookeeper: $*" >&2; exit 1; }
usage() { echo "usage: $0 [--version VERSION] [OUTDIR]" >&2; exit 2; }

VERSION="3.8.0"
OUTDIR=""
while [ $# -gt 0 ]; do
	case "$1" in
	--version)
		[ $# -ge 2 ] || usage
		VERSION="$2"
		shift 2
		;;
	--version=*)
		VERSION="${1#--version=}"
		shift
		;;
	-h | --help) usage ;;
	-*) echo "build-zookeeper: unknown option $1" >&2; usage ;;
	*)
		[ -z "$OUTDIR" ] || usage
		OUTDIR="$1"
		shift
		;;
	esac
done
OUTDIR="${OUTDIR:-$REPO/build/dist}"

# Per version: the default mtime of every entry, roughly the upstream release's
# date (override with SOURCE_DATE_EPOCH). Versions not listed fail rather than
# guess: each was checked to start, report status and stop with these bin scripts.
case "$VERSION" in
3.8.0) epoch_default=1646611200 ;; # 2022-03-07
3.8.3) epoch_default=1696809600 ;; # 2023-10-09
3.9.3) epoch_default=1729641600 ;; # 2024-10-23
3.9.4) epoch_default=1755561600 ;; # 2025-08-19 (its jars' build date)
*) die "unsupported ZooKeeper version $VERSION (supported: 3.8.0, 3.8.3, 3.9.3, 3.9.4; Maven Central as reached here has no zookeeper-prometheus-metrics for 3.8.4-3.8.7)" ;;
esac
TOP="apache-zookeeper-$VERSION-bin"
DEB_BIN="/usr/share/zookeeper/bin"
EPOCH="${SOURCE_DATE_EPOCH:-$epoch_default}"

for t in mvn tar gzip; do
	command -v "$t" >/dev/null 2>&1 || die "missing $t (see test/lab/APT_PACKAGES)"
done
[ -f "$DEB_BIN/zkServer.sh" ] || die "Debian's zookeeper package is not installed (apt-get install zookeeper)"

mkdir -p "$OUTDIR"
OUTDIR="$(cd "$OUTDIR" && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/zk-build.XXXXXX")"
trap 'rm -rf -- "$WORK"' EXIT
ROOT="$WORK/$TOP"
mkdir -p "$ROOT/bin" "$ROOT/conf" "$ROOT/lib"

# ---- lib/: resolved by Maven ------------------------------------------------
# zookeeper's pom marks much of what the server needs at run time "provided"
# (jetty, jackson, commons-cli, jline, metrics-core, snappy; logback too
# since 3.9, which 3.8 has as a compile dependency): the binary
# release adds those to lib/, so they are listed here. Versions come from
# zookeeper's parent pom, imported as a BOM, as the release's assembly does.
deps=(
	org.apache.zookeeper:zookeeper
	org.apache.zookeeper:zookeeper-jute
	org.apache.zookeeper:zookeeper-prometheus-metrics
	org.eclipse.jetty:jetty-server
	org.eclipse.jetty:jetty-servlet
	org.eclipse.jetty:jetty-client
	com.fasterxml.jackson.core:jackson-databind
	commons-cli:commons-cli
	jline:jline
	io.dropwizard.metrics:metrics-core
	org.xerial.snappy:snappy-java
	com.github.spotbugs:spotbugs-annotations
	ch.qos.logback:logback-classic
	ch.qos.logback:logback-core
)
{
	echo '<project xmlns="http://maven.apache.org/POM/4.0.0">'
	echo '  <modelVersion>4.0.0</modelVersion>'
	echo "  <groupId>zkafka.lab</groupId><artifactId>zookeeper-dist</artifactId><version>$VERSION</version>"
	echo '  <packaging>pom</packaging>'
	echo '  <dependencyManagement><dependencies>'
	echo "    <dependency><groupId>org.apache.zookeeper</groupId><artifactId>parent</artifactId><version>$VERSION</version><type>pom</type><scope>import</scope></dependency>"
	echo '  </dependencies></dependencyManagement>'
	echo '  <dependencies>'
	for d in "${deps[@]}"; do
		g="${d%%:*}"
		a="${d#*:}"
		if [ "$g" = org.apache.zookeeper ]; then
			# Not in the parent's dependencyManagement.
			v="<version>$VERSION</version>"
		else
			v=""
		fi
		# compile: the parent manages spotbugs-annotations as "provided".
		echo "    <dependency><groupId>$g</groupId><artifactId>$a</artifactId>$v<scope>compile</scope></dependency>"
	done
	echo '  </dependencies>'
	echo '</project>'
} >"$WORK/pom.xml"
maven_jars "$WORK/pom.xml" "$ROOT/lib" "$WORK/mvn.log"
[ -f "$ROOT/lib/zookeeper-prometheus-metrics-$VERSION.jar" ] || die "Maven did not produce zookeeper-prometheus-metrics-$VERSION.jar"
chmod 0644 "$ROOT/lib/"*.jar

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
deb_ver="$(dpkg-query -W -f='${Version}' zookeeper 2>/dev/null || echo unknown)"
{
	echo "Apache ZooKeeper $VERSION, binary layout, assembled by zkafka's test/lab/build-zookeeper.sh"
	echo "(not an Apache release)."
	echo
	echo "lib/: the genuine Apache jars of zookeeper, zookeeper-jute and zookeeper-prometheus-metrics"
	echo "$VERSION from Maven Central, and the jars the $VERSION binary release's lib/ has (jetty, jackson,"
	echo "commons-cli, jline, metrics-core, snappy-java, logback, netty, the Prometheus simpleclient),"
	echo "as Maven resolves them with org.apache.zookeeper:parent:$VERSION as the BOM."
	echo "bin/: zkServer.sh, zkCli.sh, zkCleanup.sh from Debian's zookeeper $deb_ver (upstream's, unchanged)"
	echo "and zkafka's own zkEnv.sh. conf/: zkafka's. NOTICE.txt: Debian's copy of upstream's."
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
