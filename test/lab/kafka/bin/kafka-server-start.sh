#!/bin/bash
# Starts a Kafka broker (class kafka.Kafka).
#
#   kafka-server-start.sh [-daemon] server.properties [--override property=value]*
#
# KAFKA_HEAP_OPTS defaults to -Xmx1G -Xms1G, logging to config/log4j.properties
# (server.log etc. under LOG_DIR); -daemon writes the console to
# LOG_DIR/kafkaServer.out. Everything else: see kafka-run-class.sh.
if [ $# -lt 1 ]; then
	echo "USAGE: $0 [-daemon] server.properties [--override property=value]*" >&2
	exit 1
fi
base_dir="$(cd "$(dirname "$0")" && pwd)"

if [ -z "${KAFKA_LOG4J_OPTS:-}" ]; then
	export KAFKA_LOG4J_OPTS="-Dlog4j.configuration=file:$base_dir/../config/log4j.properties"
fi
if [ -z "${KAFKA_HEAP_OPTS:-}" ]; then
	export KAFKA_HEAP_OPTS="-Xmx1G -Xms1G"
fi

extra=(-name kafkaServer -loggc)
if [ "$1" = "-daemon" ]; then
	extra=(-daemon "${extra[@]}")
	shift
fi
exec "$base_dir/kafka-run-class.sh" "${extra[@]}" kafka.Kafka "$@"
