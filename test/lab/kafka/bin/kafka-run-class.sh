#!/bin/bash
# Runs a Java class of this Kafka distribution (zkafka's test/lab build; the
# options and variables are those the Apache release documents).
#
#   kafka-run-class.sh [-daemon] [-name NAME] [-loggc] CLASS [ARGS...]
#
# JAVA_HOME                   java to use (else java on PATH)
# CLASSPATH                   prepended to libs/*
# KAFKA_HEAP_OPTS             default -Xmx256M
# KAFKA_JVM_PERFORMANCE_OPTS  default G1 settings below
# KAFKA_GC_LOG_OPTS           default by Java version, with -loggc
# KAFKA_JMX_OPTS, JMX_PORT    JMX; remote port only when JMX_PORT is set
# KAFKA_LOG4J_OPTS            default: config/tools-log4j.properties (console)
# LOG_DIR                     default <home>/logs (-Dkafka.logs.dir)
# KAFKA_OPTS                  anything else
if [ $# -lt 1 ]; then
	echo "USAGE: $0 [-daemon] [-name servicename] [-loggc] classname [opts]" >&2
	exit 1
fi

base_dir="$(cd "$(dirname "$0")/.." && pwd)"

# A wildcard entry: the JVM expands libs/* to every jar in it.
if [ -n "${CLASSPATH:-}" ]; then
	CLASSPATH="$CLASSPATH:$base_dir/libs/*"
else
	CLASSPATH="$base_dir/libs/*"
fi

if [ -z "${KAFKA_JMX_OPTS:-}" ]; then
	KAFKA_JMX_OPTS="-Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false"
fi
if [ -n "${JMX_PORT:-}" ]; then
	KAFKA_JMX_OPTS="$KAFKA_JMX_OPTS -Dcom.sun.management.jmxremote.port=$JMX_PORT -Dcom.sun.management.jmxremote.rmi.port=$JMX_PORT"
fi

LOG_DIR="${LOG_DIR:-$base_dir/logs}"

if [ -z "${KAFKA_LOG4J_OPTS:-}" ]; then
	# A tool: log to the console.
	KAFKA_LOG4J_OPTS="-Dlog4j.configuration=file:$base_dir/config/tools-log4j.properties"
else
	# A service: its appenders write under LOG_DIR.
	mkdir -p "$LOG_DIR"
fi
KAFKA_LOG4J_OPTS="-Dkafka.logs.dir=$LOG_DIR $KAFKA_LOG4J_OPTS"

KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx256M}"
KAFKA_JVM_PERFORMANCE_OPTS="${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"

if [ -n "${JAVA_HOME:-}" ]; then
	JAVA="$JAVA_HOME/bin/java"
else
	JAVA="java"
fi

DAEMON_MODE=false
GC_LOG_ENABLED=false
DAEMON_NAME=""
while [ $# -gt 0 ]; do
	case "$1" in
	-name)
		DAEMON_NAME="$2"
		CONSOLE_OUTPUT_FILE="$LOG_DIR/$DAEMON_NAME.out"
		shift 2
		;;
	-loggc)
		if [ -z "${KAFKA_GC_LOG_OPTS:-}" ]; then
			GC_LOG_ENABLED=true
		fi
		shift
		;;
	-daemon)
		DAEMON_MODE=true
		shift
		;;
	*)
		break
		;;
	esac
done

if [ "$GC_LOG_ENABLED" = true ]; then
	GC_LOG_FILE_NAME="${DAEMON_NAME:-kafka}-gc.log"
	# Java 9 replaced -Xloggc and the PrintGC* flags (a JVM 9+ refuses them) with -Xlog.
	JAVA_MAJOR_VERSION="$("$JAVA" -version 2>&1 | sed -E -n 's/.* version "([0-9]*).*$/\1/p')"
	if [ "${JAVA_MAJOR_VERSION:-0}" -ge 9 ]; then
		KAFKA_GC_LOG_OPTS="-Xlog:gc*:file=$LOG_DIR/$GC_LOG_FILE_NAME:time,tags:filecount=10,filesize=100M"
	else
		KAFKA_GC_LOG_OPTS="-Xloggc:$LOG_DIR/$GC_LOG_FILE_NAME -verbose:gc -XX:+PrintGCDetails -XX:+PrintGCDateStamps -XX:+PrintGCTimeStamps -XX:+UseGCLogFileRotation -XX:NumberOfGCLogFiles=10 -XX:GCLogFileSize=100M"
	fi
fi

# Each option variable holds several words: split them into one array, explicitly.
jvm=()
for v in "$KAFKA_HEAP_OPTS" "$KAFKA_JVM_PERFORMANCE_OPTS" "${KAFKA_GC_LOG_OPTS:-}" "$KAFKA_JMX_OPTS" "$KAFKA_LOG4J_OPTS"; do
	read -r -a words <<<"$v"
	jvm+=("${words[@]}")
done
read -r -a extra_opts <<<"${KAFKA_OPTS:-}"

if [ "$DAEMON_MODE" = true ]; then
	CONSOLE_OUTPUT_FILE="${CONSOLE_OUTPUT_FILE:-$LOG_DIR/kafka.out}"
	mkdir -p "$LOG_DIR"
	nohup "$JAVA" "${jvm[@]}" -cp "$CLASSPATH" "${extra_opts[@]}" "$@" >"$CONSOLE_OUTPUT_FILE" 2>&1 </dev/null &
else
	exec "$JAVA" "${jvm[@]}" -cp "$CLASSPATH" "${extra_opts[@]}" "$@"
fi
