#!/bin/bash
# Runs as PID 1 of a fresh lab host (new PID, mount and UTS namespaces, inside
# the host's network namespace), prepares the host's private view of the file
# system, then execs tini (a reaping init) with sshd in the foreground.
#
# Usage: host-init.sh NAME HOSTDIR HOSTSFILE
#   HOSTDIR/fs/<dir>  per-host folders bind-mounted over /<dir>
#   HOSTDIR/ssh       sshd_config, host key, authorized_keys (mounted read-only
#                     at /run/zklab/ssh so that StrictModes can check a path
#                     owned by root and not writable by others)
set -euo pipefail

name="$1"
hostdir="$2"
hostsfile="$3"

hostname "$name"

# unshare(1) already made every mount private; make sure nothing propagates
# back to the machine's mount namespace whatever the distribution default is.
mount --make-rprivate /

# A private /run: sshd's privilege separation dir, pid files of the host.
mount -t tmpfs -o mode=0755,nosuid,nodev zklab-run /run
mkdir -p /run/sshd /run/lock /run/zklab/ssh
chmod 0755 /run/sshd
mount --bind "$hostdir/ssh" /run/zklab/ssh
mount -o remount,bind,ro /run/zklab/ssh

# Name resolution for lab1..labN inside the host (the machine's /etc/hosts is
# not touched: this bind exists only in this host's mount namespace).
mount --bind "$hostsfile" /etc/hosts
mount -o remount,bind,ro /etc/hosts

# A shadow file in which root is not locked ("!"), for UsePAM no + keys only.
if [ -f "$hostdir/shadow" ]; then
	mount --bind "$hostdir/shadow" /etc/shadow
fi

# Per-host folders (/usr/local/data: the runbook's Kafka log dir).  /var/tmp last: the state dir usually lives under it and
# the bind sources must still be reachable while we mount the others.
for d in opt srv data var/log tmp home root usr/local/data var/tmp; do
	src="$hostdir/fs/$d"
	if [ -d "$src" ] && [ -d "/$d" ]; then
		mount --bind "$src" "/$d"
	fi
done

exec /usr/bin/tini -- /usr/sbin/sshd -D -e -f /run/zklab/ssh/sshd_config
