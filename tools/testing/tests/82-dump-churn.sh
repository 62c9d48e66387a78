#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A dump keeps its promise under churn: with CTRACK_DUMP_ENTRIES (200,000;
# 20,000 on the debug kernel) stable entries in a namespace's table and
# another process creating and deleting other entries all along, every
# stable entry appears in `ctrack -L` exactly once, twice over.
#
#   ns "dn": stable set 10.1.x.y -> 10.255.0.1:4000 (ctbulk create)
#            churning set 10.2.x.y, created and deleted in a loop (ctbulk churn)
. ./lib.bash
plan 17
cleanup() {
	[ -n "$churn_pid" ] && kill "$churn_pid" 2>/dev/null
	ip netns del dn 2>/dev/null
	return 0
}
trap cleanup EXIT

# round NAME N: N stable entries, two dumps under churn, then clean up
round() {
	local name=$1 n=$2 i
	ip netns add dn
	ip netns exec dn sysctl -qw net.ctrack.max=0
	check "$name: $n stable entries created" ip netns exec dn ctbulk create 1 "$n"
	check "$name: the table holds them" test "$(ip netns exec dn ctrack -C)" = "$n"
	ip netns exec dn ctbulk churn 2 2000 >/tmp/churn &
	churn_pid=$!
	for i in 1 2; do
		ip netns exec dn ctrack -L 2>/dev/null |
			grep -o 'src=10\.1\.[0-9.]* dst=10\.255\.0\.1 sport=[0-9]* ' >/tmp/dump
		check "$name: dump $i under churn lists the $n stable entries ($(wc -l </tmp/dump))" \
			test "$(wc -l </tmp/dump)" = "$n"
		check "$name: dump $i under churn lists each exactly once" \
			test "$(sort -u /tmp/dump | wc -l)" = "$n"
	done
	kill "$churn_pid"
	wait "$churn_pid"
	churn_pid=
	check "$name: the churn ran meanwhile ($(cat /tmp/churn))" \
		grep -qE '^churn: [1-9][0-9]* entries created and deleted' /tmp/churn
	check "$name: the stable entries are all still there" \
		test "$(ip netns exec dn ctrack -C)" = "$n"
	ip netns del dn
}

n=${CTRACK_DUMP_ENTRIES:-200000}
[ "$KERNEL_FLAVOR" = debug ] && n=${CTRACK_DUMP_ENTRIES_DEBUG:-20000}
ctrack_unload
ctrack_load
round "default table" "$n"

# Chains of thousands: every message ends inside a bucket.
ctrack_unload
ctrack_load hashsize=16
check "the table has 16 buckets" bash -c "dmesg | grep -q 'ctrack: 16 buckets'"
round "16 buckets" $((n / 10))
ctrack_unload
finish
