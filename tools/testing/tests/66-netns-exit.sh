#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Namespace exit does not grow with init_net's table. N namespaces, each
# tracked and holding one entry (a ping on its loopback), are destroyed
# together; the time from the first `ip netns del` until the kernel has
# freed the last of them (net_namespace objects back at their count
# before) is taken three times with init_net's table empty and three
# times with E entries in it (ctbulk). The medians must agree within 10%
# (plus 100 ms for the timer's grain under TCG).
#
#   CAMPAIGN_SIZE=ci    N=20,  E=20,000
#   CAMPAIGN_SIZE=soak  N=200, E=100,000   (make campaign-exit SIZE=soak)
#
# Before the batched exit, each namespace walked the whole table, sent a
# work item to every CPU and waited a grace period of its own.
#
# Stock kernels only: under KASAN, freed namespaces wait in its
# quarantine and the slab count does not say when exit is done.
. ./lib.bash

case "${CAMPAIGN_SIZE:-ci}" in
soak) n=200 e=100000 ;;
*) n=20 e=20000 ;;
esac

if [ "$KERNEL_FLAVOR" = debug ]; then
	skip "netns exit: timing needs a kernel without KASAN's quarantine"
	exit 0
fi
if ! grep -q '^net_namespace ' /proc/slabinfo; then
	skip "netns exit: no net_namespace line in /proc/slabinfo"
	exit 0
fi

trap 'for i in $(seq "$n"); do ip netns del ex$i 2>/dev/null; done; ctrack_unload' EXIT
check "insmod ctrack.ko" ctrack_load

netns_objs() { awk '$1 == "net_namespace" { print $2 }' /proc/slabinfo; }
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# One round: prints the milliseconds the exit of N namespaces took.
round() {
	local i base t0 t1
	for i in $(seq "$n"); do
		ip netns add ex$i
		ip -n ex$i link set lo up
		ip netns exec ex$i ping -q -c1 -W1 127.0.0.1 >/dev/null
	done
	base=$(netns_objs)
	t0=$(now_ms)
	for i in $(seq "$n"); do
		ip netns del ex$i
	done
	wait_for 60 eval '[ "$(netns_objs)" -le $((base - n)) ]' || return 1
	t1=$(now_ms)
	echo $((t1 - t0))
}

median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

empty=() full=()
for r in 1 2 3; do
	empty+=("$(round)")
done
max=$(sysctl -n net.ctrack.max)
sysctl -qw net.ctrack.max=0
ctbulk create 1 "$e" >/dev/null
have=$(sysctl -n net.ctrack.count)
check "netns exit: init_net holds $have entries (want $e)" test "$have" -ge "$e"
for r in 1 2 3; do
	full+=("$(round)")
done
num() { [[ $1 =~ ^[0-9]+$ ]]; }
all_num=1
for t in "${empty[@]}" "${full[@]}"; do num "$t" || all_num=0; done
check "netns exit: all six rounds freed their $n namespaces within 60 s" test "$all_num" = 1
[ "$all_num" = 1 ] || finish
a=$(median3 "${empty[@]}")
b=$(median3 "${full[@]}")
echo "# netns exit: $n namespaces: ${empty[*]} ms with init_net empty, ${full[*]} ms with $e entries (medians $a, $b)"
check "netns exit: $n namespaces exit in $b ms with $e entries in init_net, $a ms without (within 10% + 100 ms)" \
	test "$b" -le $((a + a / 10 + 100))
ctrack -F >/dev/null
sysctl -qw net.ctrack.max="$max"
finish
