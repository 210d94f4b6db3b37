#!/bin/bash
# Sends SIGTERM (or $SIGNAL) to every Kafka broker JVM (class kafka.Kafka) on
# this host, then returns without waiting. Exit 1 when there is none.
#
#   kafka-server-stop.sh [--process-role broker|controller | --node-id N]
#
# The options (KRaft) pick only the servers whose properties file (the first
# argument after kafka.Kafka) or --override says so.
SIGNAL="${SIGNAL:-TERM}"
role=""
node=""
case "${1:-}" in
--process-role) role="${2:?--process-role needs a value}" ;;
--node-id) node="${2:?--node-id needs a value}" ;;
"") ;;
*)
	echo "USAGE: $0 [--process-role broker|controller | --node-id N]" >&2
	exit 1
	;;
esac

# Value of property $2 for a server started with arguments $1 (space-separated
# as ps shows them): an --override wins over the file.
server_prop() {
	local args="$1" key="$2" file value
	file="$(printf '%s\n' "$args" | sed -E -n 's/.* kafka\.Kafka ([^ ]+).*/\1/p')"
	value="$(printf '%s\n' "$args" | tr ' ' '\n' | sed -n "s/^$key=//p" | tail -n1)"
	if [ -z "$value" ] && [ -n "$file" ] && [ -r "$file" ]; then
		value="$(sed -n "s/^[[:space:]]*$key[[:space:]]*[=:][[:space:]]*//p" "$file" | tail -n1 | tr -d '\r')"
	fi
	printf '%s\n' "$value"
}

pids=()
while read -r pid args; do
	[ -n "$pid" ] || continue
	case " $args " in
	*java*" kafka.Kafka "*) ;;
	*) continue ;;
	esac
	if [ -n "$role" ] && [ "$(server_prop " $args" process.roles)" != "$role" ]; then
		continue
	fi
	if [ -n "$node" ] && [ "$(server_prop " $args" node.id)" != "$node" ]; then
		continue
	fi
	pids+=("$pid")
done < <(ps axww -o pid= -o args=)

if [ "${#pids[@]}" -eq 0 ]; then
	echo "No kafka server to stop"
	exit 1
fi
kill -s "$SIGNAL" "${pids[@]}"
