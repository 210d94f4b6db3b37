#!/bin/bash
# zkafka test stand-in -- NOT Apache Kafka. See README-STANDIN.txt.
# Subcommands: random-uuid, format -t ID -c FILE [--ignore-formatted], info -c FILE, version.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.StorageTool "$@"
