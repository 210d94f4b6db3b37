#!/bin/bash
# Build kafka_SCALA-VERSION.tgz, laid out like the Apache Kafka binary release,
# from the genuine Apache jars on Maven Central.
#
#   test/lab/build-kafka.sh VERSION SCALA [OUTDIR]     (default OUTDIR: <repo>/build/dist)
#   e.g. test/lab/build-kafka.sh 2.4.1 2.11 ; test/lab/build-kafka.sh 3.9.1 2.13 ;
#        test/lab/build-kafka.sh 4.1.1 2.13
#
# libs/    org.apache.kafka:kafka_SCALA:VERSION with its runtime dependencies,
#          kafka-tools (and kafka-storage where it exists), and the log4j
#          binding the release ships, as Maven resolves them (a pom written in
#          a temporary directory; Maven's local repository is reused, so a
#          second build downloads nothing).
# bin/     test/lab/kafka/bin (run-class, server start/stop) + tool wrappers
#          written below, naming the main class each tool has in this version.
# config/  test/lab/kafka/config (kraft/ only where the version has KRaft);
#          for 4.x (KRaft only, log4j2) test/lab/kafka/config-kraft4 instead:
#          server/controller/broker.properties, log4j2.yaml, tools-log4j2.yaml.
# Output is deterministic: sorted entries, fixed mtimes, owner 0, gzip -n.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=maven-jars.sh
. "$HERE/maven-jars.sh"
REPO="$(cd "$HERE/../.." && pwd)"
die() { echo "build-kafka: $*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: $0 VERSION SCALA [OUTDIR]"
VERSION="$1"
SCALA="$2"
OUTDIR="${3:-$REPO/build/dist}"
TOP="kafka_$SCALA-$VERSION"

# Per version: the log4j binding of the release's libs/ and the modules beyond
# the core. Versions not listed here fail rather than guess.
case "$VERSION" in
2.4.1)
	# The 2.4.1 release ships slf4j-log4j12-1.7.28 and log4j-1.2.17.
	binding=(org.slf4j:slf4j-log4j12:1.7.28 log4j:log4j:1.2.17)
	modules=(kafka-tools)
	zk_connection_timeout_ms=6000
	# Released: Mar 2020.
	epoch_default=1583366400
	;;
3.9.1)
	# The 3.9.1 release ships slf4j-reload4j-1.7.36 and reload4j-1.2.25
	# (slf4j-reload4j's own pom would pull reload4j 1.2.19).
	binding=(org.slf4j:slf4j-reload4j:1.7.36 ch.qos.reload4j:reload4j:1.2.25)
	modules=(kafka-tools kafka-storage)
	zk_connection_timeout_ms=18000
	# Released: May 2025.
	epoch_default=1747008000
	;;
4.1.1)
	# Kafka 4 logs with log4j2 (log4j-api and log4j-core come with kafka-server's
	# pom); the release adds the SLF4J 1.x binding to it (Kafka 4.1 uses
	# slf4j-api 1.7.36): log4j-slf4j-impl of the same log4j2 version.
	binding=(org.apache.logging.log4j:log4j-slf4j-impl:2.24.3)
	modules=(kafka-tools kafka-storage kafka-server kafka-metadata kafka-raft kafka-clients)
	log4j2=true
	# Built: late Oct 2025 (its jars' timestamps).
	epoch_default=1761436800
	;;
*) die "unsupported Kafka version $VERSION (supported: 2.4.1, 3.9.1, 4.1.1)" ;;
esac
log4j2="${log4j2:-false}"
[[ "$SCALA" =~ ^2\.1[123]$ ]] || die "SCALA must be 2.11, 2.12 or 2.13, not '$SCALA'"
EPOCH="${SOURCE_DATE_EPOCH:-$epoch_default}"

for t in mvn unzip tar gzip sed sort; do
	command -v "$t" >/dev/null 2>&1 || die "missing $t (see test/lab/APT_PACKAGES)"
done

mkdir -p "$OUTDIR"
OUTDIR="$(cd "$OUTDIR" && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kafka-build.XXXXXX")"
trap 'rm -rf -- "$WORK"' EXIT
ROOT="$WORK/$TOP"
mkdir -p "$ROOT/bin" "$ROOT/config" "$ROOT/libs" "$WORK/mvn"

# ---- libs/: resolved by Maven ------------------------------------------------
dep() { # GROUP:ARTIFACT:VERSION -> <dependency>
	local g a v
	IFS=: read -r g a v <<<"$1"
	printf '    <dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></dependency>\n' "$g" "$a" "$v"
}
{
	echo '<project xmlns="http://maven.apache.org/POM/4.0.0">'
	echo '  <modelVersion>4.0.0</modelVersion>'
	echo "  <groupId>zkafka.lab</groupId><artifactId>kafka-dist</artifactId><version>$VERSION</version>"
	echo '  <packaging>pom</packaging>'
	echo '  <dependencies>'
	dep "org.apache.kafka:kafka_$SCALA:$VERSION"
	for m in "${modules[@]}"; do dep "org.apache.kafka:$m:$VERSION"; done
	for b in "${binding[@]}"; do dep "$b"; done
	echo '  </dependencies>'
	echo '</project>'
} >"$WORK/mvn/pom.xml"

maven_jars "$WORK/mvn/pom.xml" "$ROOT/libs" "$WORK/mvn.log"
core="$ROOT/libs/kafka_$SCALA-$VERSION.jar"
[ -f "$core" ] || die "Maven did not produce $(basename "$core")"
chmod 0644 "$ROOT/libs/"*.jar

# ---- bin/ ------------------------------------------------------------------
# Every class of libs/, once, to pick the main class a tool has in this version.
classes="$WORK/classes.txt"
for j in "$ROOT/libs/"*.jar; do
	unzip -Z1 "$j" | sed -n 's/\.class$//p' | tr / .
done | sort -u >"$classes"
has_class() { grep -qxF -- "$1" "$classes"; }
first_class() {
	local c
	for c in "$@"; do
		if has_class "$c"; then
			echo "$c"
			return
		fi
	done
	die "none of $* in libs/"
}

for s in kafka-run-class.sh kafka-server-start.sh kafka-server-stop.sh; do
	if [ "$log4j2" = true ]; then
		# Kafka 4's scripts name log4j2 configuration files (and the system
		# property log4j2.configurationFile takes a path, not a file: URL).
		sed -e 's|-Dlog4j\.configuration=file:|-Dlog4j2.configurationFile=|g' \
			-e 's|tools-log4j\.properties|tools-log4j2.yaml|g' \
			-e 's|config/log4j\.properties|config/log4j2.yaml|g' \
			"$HERE/kafka/bin/$s" >"$ROOT/bin/$s"
		if grep -n -E 'log4j\.configuration=|log4j\.properties' "$ROOT/bin/$s"; then
			die "bin/$s still names a log4j 1 configuration"
		fi
	else
		cp -- "$HERE/kafka/bin/$s" "$ROOT/bin/$s"
	fi
done

# tool NAME CLASS HEAP DESCRIPTION: a wrapper running CLASS with the tools' logging.
tool() {
	local name="$1" class="$2" heap="$3" what="$4"
	{
		echo '#!/bin/bash'
		echo "# $what"
		echo "# Main class in Kafka $VERSION: $class. Options: $name --help."
		if [ -n "$heap" ]; then
			echo 'if [ -z "${KAFKA_HEAP_OPTS:-}" ]; then'
			echo "	export KAFKA_HEAP_OPTS=\"$heap\""
			echo 'fi'
		fi
		echo "exec \"\$(dirname \"\$0\")/kafka-run-class.sh\" $class \"\$@\""
	} >"$ROOT/bin/$name"
}
tool kafka-topics.sh "$(first_class org.apache.kafka.tools.TopicCommand kafka.admin.TopicCommand)" "" \
	"Creates, lists, describes, alters and deletes topics."
tool kafka-console-producer.sh "$(first_class org.apache.kafka.tools.ConsoleProducer kafka.tools.ConsoleProducer)" "-Xmx512M" \
	"Sends the lines of stdin as messages to a topic."
tool kafka-console-consumer.sh "$(first_class org.apache.kafka.tools.consumer.ConsoleConsumer kafka.tools.ConsoleConsumer)" "-Xmx512M" \
	"Prints the messages of a topic on stdout."
tool kafka-configs.sh "$(first_class org.apache.kafka.tools.ConfigCommand kafka.admin.ConfigCommand)" "" \
	"Shows and changes dynamic configs of topics, brokers, users and clients."
tool kafka-consumer-groups.sh "$(first_class org.apache.kafka.tools.consumer.group.ConsumerGroupCommand kafka.admin.ConsumerGroupCommand)" "" \
	"Lists, describes and resets consumer groups."
if has_class kafka.tools.StorageTool; then
	tool kafka-storage.sh kafka.tools.StorageTool "" \
		"Formats and inspects KRaft log directories (random-uuid, format, info)."
fi
if has_class org.apache.kafka.tools.MetadataQuorumCommand; then
	tool kafka-metadata-quorum.sh org.apache.kafka.tools.MetadataQuorumCommand "" \
		"Describes the KRaft controller quorum (describe --status, --replication) and changes its voters."
fi
if has_class org.apache.kafka.tools.FeatureCommand; then
	tool kafka-features.sh org.apache.kafka.tools.FeatureCommand "" \
		"Describes, upgrades and downgrades the cluster's feature levels (metadata.version, ...)."
fi

if has_class org.apache.zookeeper.ZooKeeperMain; then
# zookeeper-shell.sh SERVER[/CHROOT] [COMMAND...]: needs the address first, as the release's.
zk_main="$(first_class org.apache.zookeeper.ZooKeeperMainWithTlsSupportForKafka org.apache.zookeeper.ZooKeeperMain)"
cat >"$ROOT/bin/zookeeper-shell.sh" <<SH
#!/bin/bash
# ZooKeeper's command-line client: zookeeper-shell.sh HOST:PORT[/CHROOT] [COMMAND ARGS...]
# Main class in Kafka $VERSION: $zk_main.
if [ \$# -lt 1 ]; then
	echo "USAGE: \$0 zookeeper_host:port[/path] [args...]" >&2
	exit 1
fi
exec "\$(dirname "\$0")/kafka-run-class.sh" $zk_main -server "\$@"
SH

# The single ZooKeeper server the quickstart uses (config/zookeeper.properties).
cat >"$ROOT/bin/zookeeper-server-start.sh" <<'SH'
#!/bin/bash
# Starts a ZooKeeper server from this distribution's jars:
#   zookeeper-server-start.sh [-daemon] zookeeper.properties
if [ $# -lt 1 ]; then
	echo "USAGE: $0 [-daemon] zookeeper.properties" >&2
	exit 1
fi
base_dir="$(cd "$(dirname "$0")" && pwd)"
if [ -z "${KAFKA_LOG4J_OPTS:-}" ]; then
	export KAFKA_LOG4J_OPTS="-Dlog4j.configuration=file:$base_dir/../config/log4j.properties"
fi
if [ -z "${KAFKA_HEAP_OPTS:-}" ]; then
	export KAFKA_HEAP_OPTS="-Xmx512M -Xms512M"
fi
extra=(-name zookeeper -loggc)
if [ "$1" = "-daemon" ]; then
	extra=(-daemon "${extra[@]}")
	shift
fi
exec "$base_dir/kafka-run-class.sh" "${extra[@]}" org.apache.zookeeper.server.quorum.QuorumPeerMain "$@"
SH
cat >"$ROOT/bin/zookeeper-server-stop.sh" <<'SH'
#!/bin/bash
# Sends SIGTERM (or $SIGNAL) to every ZooKeeper server JVM of this host.
SIGNAL="${SIGNAL:-TERM}"
pids=()
while read -r pid args; do
	case " $args " in
	*java*" org.apache.zookeeper.server.quorum.QuorumPeerMain "*) pids+=("$pid") ;;
	esac
done < <(ps axww -o pid= -o args=)
if [ "${#pids[@]}" -eq 0 ]; then
	echo "No zookeeper server to stop"
	exit 1
fi
kill -s "$SIGNAL" "${pids[@]}"
SH
fi # ZooKeeper's classes: not in Kafka 4 (KRaft only)
chmod 0755 "$ROOT/bin/"*.sh

# ---- config/ -----------------------------------------------------------------
if [ "$log4j2" = true ]; then
	# Kafka 4: KRaft only; the release's config/ has the combined node as
	# server.properties, and broker/controller.properties beside it.
	cp -- "$HERE/kafka/config-kraft4/"* "$ROOT/config/"
	cp -- "$HERE/kafka/config/producer.properties" "$HERE/kafka/config/consumer.properties" "$ROOT/config/"
else
	for f in server.properties log4j.properties tools-log4j.properties zookeeper.properties \
		producer.properties consumer.properties; do
		sed -e "s/@ZK_CONNECTION_TIMEOUT_MS@/$zk_connection_timeout_ms/" "$HERE/kafka/config/$f" >"$ROOT/config/$f"
	done
	if has_class kafka.tools.StorageTool; then
		mkdir -p "$ROOT/config/kraft"
		cp -- "$HERE/kafka/config/kraft/"*.properties "$ROOT/config/kraft/"
	fi
fi
find "$ROOT/config" -type f -exec chmod 0644 {} +

# ---- LICENSE, NOTICE (from the core jar), README-zkafka.txt ------------------
# The entry list in a file first: with pipefail, "unzip | grep -q" fails at random (grep exits
# at the first match and unzip dies of SIGPIPE), which left LICENSE out of some builds.
unzip -Z1 "$core" >"$WORK/core-entries.txt"
for f in LICENSE NOTICE; do
	if grep -qxF -- "$f" "$WORK/core-entries.txt"; then
		unzip -p "$core" "$f" >"$ROOT/$f"
	fi
done
{
	echo "Apache Kafka $VERSION for Scala $SCALA, in the binary release's layout, assembled by"
	echo "zkafka's test/lab/build-kafka.sh (not an Apache release)."
	echo
	echo "libs/: the genuine Apache artifacts from Maven Central, with their runtime dependencies"
	echo "as Maven resolves them (dependency:copy-dependencies -DincludeScope=runtime) for:"
	for b in "org.apache.kafka:kafka_$SCALA:$VERSION" "${modules[@]/#/org.apache.kafka:}" "${binding[@]}"; do
		case "$b" in
		*:*:*) echo "  $b" ;;
		*) echo "  $b:$VERSION" ;;
		esac
	done
	echo "The release's libs/ also has Kafka Connect, Streams and their examples; this one has the"
	echo "broker, its tools and whatever those depend on."
	echo
	echo "bin/ and config/: written for zkafka, with the options, variables and defaults the"
	echo "release documents. LICENSE and NOTICE: from kafka_$SCALA-$VERSION.jar."
	echo
	echo "libs/:"
	(cd "$ROOT/libs" && ls -1 | sed -e 's/^/  /')
} >"$ROOT/README-zkafka.txt"
find "$ROOT" -maxdepth 1 -type f -exec chmod 0644 {} +

find "$ROOT" -exec touch -h -d "@$EPOCH" {} +
OUT="$OUTDIR/$TOP.tgz"
tar --sort=name --mtime="@$EPOCH" --owner=0 --group=0 --numeric-owner \
	--format=gnu -C "$WORK" -cf - "$TOP" | gzip -n -9 >"$OUT.tmp"
mv -- "$OUT.tmp" "$OUT"
echo "$OUT"
