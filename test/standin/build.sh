#!/bin/bash
# Builds the zkafka Kafka stand-in tarball (NOT Apache Kafka; see tarball/README-STANDIN.txt).
#   test/standin/build.sh [OUTDIR]    (default: <repo>/build/dist)
# Produces OUTDIR/kafka_2.13-3.9.1-standin.tgz. Needs only a JDK 17 (javac, jar) and Debian's
# zookeeper package (see APT_PACKAGES). Prints the tarball's path on stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
outdir="${1:-$root/build/dist}"
mkdir -p "$outdir"
outdir="$(cd "$outdir" && pwd)"

name="kafka_2.13-3.9.1-standin"
java_share="${ZKAFKA_STANDIN_JAVA_SHARE:-/usr/share/java}"

if [ -n "${JAVA_HOME:-}" ]; then
  javac="$JAVA_HOME/bin/javac"; jar="$JAVA_HOME/bin/jar"
else
  javac="javac"; jar="jar"
fi
for tool in "$javac" "$jar"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build.sh: $tool not found: install a JDK 17 (apt-get install openjdk-17-jdk-headless)" >&2
    exit 1
  fi
done

# The ZooKeeper client jars the stand-in runs with (checked with a real run: the broker needs only
# zookeeper, zookeeper-jute and slf4j-api with the client's default NIO socket; commons-cli is for
# bin/zookeeper-shell.sh, i.e. org.apache.zookeeper.ZooKeeperMain).
client_jars=(zookeeper zookeeper-jute slf4j-api commons-cli)
for j in "${client_jars[@]}"; do
  if [ ! -f "$java_share/$j.jar" ]; then
    echo "build.sh: $java_share/$j.jar not found: install Debian's zookeeper package (apt-get install zookeeper)" >&2
    exit 1
  fi
done

# Fixed timestamps for reproducible-ish output.
epoch="${SOURCE_DATE_EPOCH:-1704067200}"   # 2024-01-01T00:00:00Z unless given
iso_date="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stage="$work/$name"
mkdir -p "$stage/libs" "$work/classes"

# 1. Compile the stand-in (Java 17 bytecode).
cp_compile="$java_share/zookeeper.jar:$java_share/zookeeper-jute.jar:$java_share/slf4j-api.jar"
mapfile -t sources < <(cd "$here/java" && find . -name '*.java' | LC_ALL=C sort)
(cd "$here/java" && "$javac" --release 17 -encoding UTF-8 -nowarn -Xlint:-path -d "$work/classes" -cp "$cp_compile" "${sources[@]}")

printf 'Manifest-Version: 1.0\nImplementation-Title: zkafka test stand-in for Kafka 3.9.1 (NOT Apache Kafka)\nImplementation-Version: 3.9.1-standin\nMain-Class: kafka.Kafka\n' > "$work/manifest.mf"
"$jar" --create --date="$iso_date" --file "$stage/libs/zkafka-kafka-standin-3.9.1.jar" \
  --manifest "$work/manifest.mf" -C "$work/classes" .

# 2. Copy the ZooKeeper client jars under their versioned names, without the Class-Path entry
#    of Debian's manifests (it points at /usr/share/java and would hide a missing jar).
versioned_name() { # base -> base-VERSION.jar, from Debian's versioned symlink
  local base="$1" target cand
  target="$(readlink -f "$java_share/$base.jar")"
  for cand in "$java_share/$base"-[0-9]*.jar; do
    if [ -e "$cand" ] && [ "$(readlink -f "$cand")" = "$target" ]; then
      basename "$cand"
      return
    fi
  done
  echo "$base.jar"
}
for j in "${client_jars[@]}"; do
  dest="$stage/libs/$(versioned_name "$j")"
  x="$work/x-$j"
  mkdir -p "$x"
  (cd "$x" && "$jar" --extract --file "$(readlink -f "$java_share/$j.jar")")
  awk 'BEGIN{skip=0} /^Class-Path:/{skip=1; next} skip && /^ /{next} {skip=0; sub(/\r$/, ""); if ($0 != "") print}' \
    "$x/META-INF/MANIFEST.MF" > "$work/mf-$j"
  rm -f "$x/META-INF/MANIFEST.MF"
  "$jar" --create --date="$iso_date" --file "$dest" --manifest "$work/mf-$j" -C "$x" .
done

# 3. Scripts, configs, notices.
cp -R "$here/tarball/." "$stage/"
chmod 0755 "$stage"/bin/*.sh
find "$stage" -exec touch -h -d "@$epoch" {} +

# 4. Tarball.
tgz="$outdir/$name.tgz"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
  -C "$work" -cf - "$name" | gzip -n -9 > "$tgz.tmp"
mv "$tgz.tmp" "$tgz"
echo "$tgz"
