#!/usr/bin/env bash
# The quick start: builds a local 3-host lab (network namespaces with their own sshd, see test/lab) and
# runs `zkafka up` on it, then `zkafka status`. Needs root. Leaves the lab running: `npm run lab down`.
# Kafka is genuine 2.4.1 built from Maven Central jars; ZKAFKA_LAB_KAFKA=3.9.1 for 3.9.1, or
# ZKAFKA_KAFKA_TGZ=/path/to/kafka_SCALA-VERSION.tgz for your own release tarball.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
npm run build --silent
npm run dist --silent >/dev/null
exec 9>/tmp/zkafka-lab.lock
flock 9
test/lab/lab up 3 9>&-   # the lab outlives this script: it must not inherit the lock
node test/lab/lab-inventory.mjs > build/lab-inventory.yaml
echo "inventory: build/lab-inventory.yaml"
node bin/zkafka.js up build/lab-inventory.yaml
node bin/zkafka.js status build/lab-inventory.yaml
