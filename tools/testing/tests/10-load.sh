#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Loading starts tracking in every netns, existing and new; the knobs and
# /proc files are there with nf_conntrack's defaults; unloading is clean.
. ./lib.bash
plan 38
trap topo_down EXIT

ip netns add before
# The module's own defaults here, counting (acct) included.
CTRACK_ACCT=
check "insmod ctrack.ko" ctrack_load
line=$(dmesg | grep -o 'ctrack: [0-9]* buckets, [0-9]* bytes per entry ([0-9]* with TCP state)' | tail -n1)
echo "$line"
size=$(echo "$line" | sed -E 's/.* ([0-9]+) bytes per entry.*/\1/')
tcp=$(echo "$line" | sed -E 's/.*\(([0-9]+) with TCP state\)/\1/')
# A guard against growth: the target is half nf_conntrack's 256
# bytes an entry, hash share included. (Lockdep makes every spinlock_t
# larger.)
if [ "$KERNEL_FLAVOR" = debug ]; then
	skip "entry size on a lockdep kernel ($size bytes)"
else
	check "a UDP entry weighs at most 112 bytes ($size)" \
		test -n "$size" -a "${size:-999}" -le 112
	check "a TCP entry at most 176 ($tcp)" \
		test -n "$tcp" -a "${tcp:-999}" -le 176
fi
ip netns add after
for ns in before after; do
	check "/proc/net/ctrack in netns created $ns load" \
		ip netns exec $ns test -r /proc/net/ctrack
	check "/proc/net/stat/ctrack in netns created $ns load" \
		ip netns exec $ns test -r /proc/net/stat/ctrack
done

sysctl_is() {
	local v
	v=$(ip netns exec after cat /proc/sys/net/ctrack/"$1") && [ "$v" = "$2" ]
}
for kv in tcp_timeout_syn_sent=120 tcp_timeout_syn_recv=60 \
	tcp_timeout_established=432000 tcp_timeout_fin_wait=120 \
	tcp_timeout_close_wait=60 tcp_timeout_last_ack=30 \
	tcp_timeout_time_wait=120 tcp_timeout_close=10 \
	tcp_timeout_max_retrans=300 tcp_timeout_unacknowledged=300 \
	udp_timeout=30 udp_timeout_stream=120 icmp_timeout=30 \
	icmpv6_timeout=30 generic_timeout=600 tcp_loose=1 acct=0 \
	tcp_be_liberal=0 checksum=1 tcp_max_retrans=3 count=0; do
	check "sysctl net.ctrack.${kv%%=*} defaults to ${kv#*=}" sysctl_is "${kv%%=*}" "${kv#*=}"
done
max=$(cat /proc/sys/net/ctrack/max)
buckets=$(cat /proc/sys/net/ctrack/buckets)
check "net.ctrack.max ($max) defaults to the bucket count ($buckets)" \
	test "$max" -gt 0 -a "$max" = "$buckets"

# Knobs are per netns.
ip netns exec before sysctl -qw net.ctrack.udp_timeout=77
check "sysctls are per netns" sysctl_is udp_timeout 30
check "sysctl rejects an out-of-range flag" bash -c \
	'ip netns exec after sysctl -qw net.ctrack.tcp_loose=0 &&
	 ! ip netns exec after bash -c "echo 2 > /proc/sys/net/ctrack/tcp_loose" 2>/dev/null'
check "net.ctrack.count is read-only" bash -c \
	'test -e /proc/sys/net/ctrack/count &&
	 ! ip netns exec after bash -c "echo 5 > /proc/sys/net/ctrack/count" 2>/dev/null'

hdr=$(head -n1 /proc/net/stat/ctrack)
check "stat header names the counters" test "$hdr" = \
	"entries found new invalid ignore insert insert_failed drop early_drop error search_restart verdict_miss related expired event_lost"
rows=$(($(wc -l < /proc/net/stat/ctrack) - 1))
check "one stat row per CPU ($rows)" test "$rows" -ge "$NR_CPUS"

check "rmmod ctrack" ctrack_unload
check "netns files gone after rmmod" bash -c \
	'! lsmod | grep -q "^ctrack " && ! ip netns exec after test -e /proc/net/ctrack'
check "insmod again" ctrack_load
check "rmmod again" ctrack_unload
ip netns del before
ip netns del after
finish
