#!/usr/bin/env bash
#
# Environment for the ZooKeeper scripts of the zkafka test distribution.
#
# Written for zkafka (Apache-2.0).  Debian's zookeeper package ships a zkEnv.sh
# hard-wired to /etc/zookeeper, /var/log/zookeeper and /usr/share/java; this one
# behaves like the one in the upstream binary release instead: everything is
# found relative to the unpacked tree.
#
#   ZOOCFGDIR   config dir            default <home>/conf  (--config DIR overrides)
#   ZOOCFG      config file name      default zoo.cfg, taken inside ZOOCFGDIR
#   ZOO_LOG_DIR log dir               default <home>/logs
#   JAVA_HOME   java to use           default the java found on PATH
#   ZK_SERVER_HEAP / ZK_CLIENT_HEAP   max heap in MB (default 1000 / 256)
#   SERVER_JVMFLAGS, CLIENT_JVMFLAGS, JVMFLAGS   extra JVM flags
#
# The sourcing script sets ZOOBINDIR (its own directory, absolute).  This file
# is sourced with the caller's arguments, so "--config DIR" is consumed here.

ZOOBINDIR="${ZOOBINDIR:-/usr/bin}"
ZOOKEEPER_PREFIX="${ZOOBINDIR}/.."

if [ $# -gt 1 ] && [ "--config" = "$1" ]; then
  shift
  ZOOCFGDIR="$1"
  shift
fi

if [ -z "$ZOOCFGDIR" ]; then
  if [ -e "${ZOOKEEPER_PREFIX}/conf" ]; then
    ZOOCFGDIR="$ZOOBINDIR/../conf"
  else
    ZOOCFGDIR="$ZOOBINDIR/../etc/zookeeper"
  fi
fi

if [ -f "${ZOOCFGDIR}/zookeeper-env.sh" ]; then
  . "${ZOOCFGDIR}/zookeeper-env.sh"
fi

if [ -z "$ZOOCFG" ]; then
  ZOOCFG="zoo.cfg"
fi
ZOOCFG="$ZOOCFGDIR/$ZOOCFG"

if [ -f "$ZOOCFGDIR/java.env" ]; then
  . "$ZOOCFGDIR/java.env"
fi

if [ -z "${ZOO_LOG_DIR}" ]; then
  ZOO_LOG_DIR="$ZOOKEEPER_PREFIX/logs"
fi

if [ -n "$JAVA_HOME" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  JAVA="$JAVA_HOME/bin/java"
elif type -p java >/dev/null 2>&1; then
  JAVA=java
else
  echo "Error: JAVA_HOME is not set and java could not be found in PATH." 1>&2
  exit 1
fi

# Class path: the config dir first (logback.xml is found there), then every jar
# of lib/.  Any CLASSPATH from the environment stays at the end.
ZOO_CP="$ZOOCFGDIR"
for i in "$ZOOBINDIR"/../lib/*.jar; do
  [ -e "$i" ] && ZOO_CP="$ZOO_CP:$i"
done
if [ -n "$CLASSPATH" ]; then
  CLASSPATH="$ZOO_CP:$CLASSPATH"
else
  CLASSPATH="$ZOO_CP"
fi
unset ZOO_CP

case "$(uname)" in
CYGWIN* | MINGW*) cygwin=true ;;
*) cygwin=false ;;
esac
if $cygwin; then
  CLASSPATH="$(cygpath -wp "$CLASSPATH")"
fi

ZK_SERVER_HEAP="${ZK_SERVER_HEAP:-1000}"
export SERVER_JVMFLAGS="-Xmx${ZK_SERVER_HEAP}m $SERVER_JVMFLAGS"

ZK_CLIENT_HEAP="${ZK_CLIENT_HEAP:-256}"
export CLIENT_JVMFLAGS="-Xmx${ZK_CLIENT_HEAP}m $CLIENT_JVMFLAGS"
