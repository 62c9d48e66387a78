#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Side by side with nf_conntrack: a TCP session through the router (see
# lib.bash for the topology) is tracked by both; their entries agree on
# state, tuples, status bits and counters, while the session is open and
# after it closed.
. ./lib.bash
plan 6
trap topo_down EXIT

modprobe nf_conntrack 2>/dev/null
ctrack_load
topo_up
ip netns exec rt sysctl -qw net.netfilter.nf_conntrack_acct=1
ip netns exec rt iptables -A FORWARD -m conntrack --ctstate NEW,ESTABLISHED,RELATED,INVALID
ip netns exec rt ip6tables -A FORWARD -m conntrack --ctstate NEW,ESTABLISHED,RELATED,INVALID

echo_server sv 9090
for pair in "10.0.1.1 10.0.2.1" "fd00:1::1 fd00:2::1"; do
	set -- $pair
	hold_open cl "$2" 9090
	wait_for 3 ctgrep rt "ESTABLISHED .*dst=$2 .*dport=9090 .*ASSURED"
	agree "$1: open session: ctrack and nf_conntrack agree" "dst=$2 sport=[0-9]+ dport=9090 "
	check "$1: session closed cleanly" hold_close
	agree "$1: closed session: ctrack and nf_conntrack agree" "dst=$2 sport=[0-9]+ dport=9090 "
done
finish
