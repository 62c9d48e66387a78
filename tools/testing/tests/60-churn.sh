#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rmmod under traffic, and namespace deletion under traffic: both complete,
# nothing leaks (kmemleak on the debug kernel), no splat. (Topology:
# lib.bash.)
. ./lib.bash
plan 7
trap topo_down EXIT

ctrack_load
topo_up
udp_server sv 5353
tcp_server sv 8080
traffic() {
	while :; do
		ip netns exec cl ctpkt udpreq 10.0.2.1 5353 >/dev/null 2>&1
		ip netns exec cl ctpkt tcpreq fd00:2::1 8080 >/dev/null 2>&1
		ip netns exec cl ping -c1 -W1 10.0.2.1 >/dev/null 2>&1
	done
}
traffic &
load=$!
wait_for 5 ctgrep rt "dport=5353"
check "rmmod under traffic" ctrack_unload
check "traffic still flows without ctrack" ip netns exec cl ctpkt tcpreq 10.0.2.1 8080
check "insmod under traffic" ctrack_load
check "tracking resumes after reload" wait_for 5 ctgrep rt "dport=5353"

# Delete the router (and its entries) while packets cross it.
# `ip netns del` returns at once; the kernel tears the namespace down
# later. Its veths go with it (cl's and sv's ends vanish), then ctrack's
# part of the exit; the rmmod below waits for every namespace's exit.
check "netns with live entries deleted under traffic" ip netns del rt
check "... and torn down: cl's and sv's ends of its links are gone" wait_for 10 eval \
	'! ip -n cl link show veth0 >/dev/null 2>&1 && ! ip -n sv link show veth0 >/dev/null 2>&1'
kill $load 2>/dev/null
wait $load 2>/dev/null
check "rmmod after namespace churn" ctrack_unload
finish
