#!/bin/bash
# zkafka test stand-in -- NOT Apache Kafka. See README-STANDIN.txt.
# Like Kafka's kafka-server-stop.sh: signals (SIGTERM by default) every Kafka server process on
# this host, found with ps/grep, and returns without waiting for them to exit.
# Options: --process-role broker|controller, --node-id N (matched against the properties file
# named on each process's command line).
SIGNAL=${SIGNAL:-TERM}

usage() {
  echo "usage: $0 [--process-role=value] [--node-id=value]"
  exit 1
}

ROLE=""
NODE_ID=""
while [ $# -gt 0 ]; do
  case "$1" in
    --process-role=*) ROLE="${1#*=}"; shift ;;
    --process-role) ROLE="$2"; shift 2 ;;
    --node-id=*) NODE_ID="${1#*=}"; shift ;;
    --node-id) NODE_ID="$2"; shift 2 ;;
    *) usage ;;
  esac
done
if [ -n "$ROLE" ] && [ -n "$NODE_ID" ]; then
  echo "Only one of --process-role or --node-id may be given."
  exit 1
fi

PIDS=$(ps ax | grep -i 'kafka\.Kafka' | grep java | grep -v grep | awk '{print $1}')

prop_of_pid() { # PID KEY -> value of KEY for that broker: the properties file after kafka.Kafka on its
  # command line, then any "--override KEY=VALUE" after it (the last one wins, as for the broker)
  local pid="$1" key="$2" file="" seen="" next_override="" value="" arg
  while IFS= read -r -d '' arg; do
    if [ -z "$seen" ]; then
      if [ "$arg" = "kafka.Kafka" ]; then seen=1; fi
      continue
    fi
    if [ -z "$file" ]; then
      file="$arg"
      if [ -r "$file" ]; then
        local key_re="${key//./\\.}"
        value="$(sed -n "s/^[[:space:]]*$key_re[[:space:]]*[=:][[:space:]]*//p" "$file" | tail -n 1 | tr -d '[:space:]')"
      fi
      continue
    fi
    if [ -n "$next_override" ]; then
      next_override=""
      case "$arg" in "$key="*) value="${arg#*=}" ;; esac
    elif [ "$arg" = "--override" ]; then
      next_override=1
    fi
  done < "/proc/$pid/cmdline"
  printf '%s' "$value"
}

if [ -n "$ROLE" ] || [ -n "$NODE_ID" ]; then
  SELECTED=""
  for pid in $PIDS; do
    if [ -n "$NODE_ID" ]; then
      id="$(prop_of_pid "$pid" node.id)"
      [ -z "$id" ] && id="$(prop_of_pid "$pid" broker.id)"
      if [ "$id" = "$NODE_ID" ]; then SELECTED="$SELECTED $pid"; fi
    else
      roles="$(prop_of_pid "$pid" process.roles)"
      case ",$roles," in
        *",$ROLE,"*) SELECTED="$SELECTED $pid" ;;
      esac
    fi
  done
  PIDS="$SELECTED"
fi

if [ -z "${PIDS// /}" ]; then
  echo "No kafka server to stop"
  exit 1
else
  # shellcheck disable=SC2086
  kill -s "$SIGNAL" $PIDS
fi
