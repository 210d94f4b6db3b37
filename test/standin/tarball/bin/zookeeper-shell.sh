#!/bin/bash
# zkafka test stand-in -- NOT Apache Kafka. See README-STANDIN.txt.
# Runs the ZooKeeper CLI shipped in libs/ (org.apache.zookeeper.ZooKeeperMain).
if [ $# -lt 1 ]; then
  echo "USAGE: $0 zookeeper_host:port[/path] [-zk-tls-config-file file] [args...]"
  exit 1
fi
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.zookeeper.ZooKeeperMain -server "$@"
