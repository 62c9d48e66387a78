#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Loopback: a packet seen at OUTPUT is seen again at PREROUTING on lo.
# It must be tracked once: ctrack's counters equal nf_conntrack's for the
# same connection, and every verdict reached the confirm hooks.
#
#   ns "lo1": ctpkt tcpreq 127.0.0.1 -> ctpkt tcpserve, over lo (v4, v6)
. ./lib.bash
plan 7
trap topo_down EXIT

modprobe nf_conntrack 2>/dev/null
ctrack_load
ip netns add lo1
ip -n lo1 link set lo up
ip netns exec lo1 sysctl -qw net.netfilter.nf_conntrack_acct=1
# A conntrack rule makes nf_conntrack track this netns.
ip netns exec lo1 iptables -A OUTPUT -m conntrack --ctstate NEW,ESTABLISHED,RELATED,INVALID
ip netns exec lo1 ip6tables -A OUTPUT -m conntrack --ctstate NEW,ESTABLISHED,RELATED,INVALID
ip netns exec lo1 ctpkt tcpserve 8080 &
wait_for 5 listening lo1 8080

# "packets=A bytes=B ... packets=C bytes=D" of the entry matching $2
counters() {
	grep -E -- "$2" "$1" | grep -o 'packets=[0-9]* bytes=[0-9]*' | tr '\n' ' '
}

for addr in 127.0.0.1 ::1; do
	check "tcp over lo to $addr" ip netns exec lo1 ctpkt tcpreq $addr 8080
	ip netns exec lo1 cat /proc/net/ctrack > /tmp/ct
	ip netns exec lo1 cat /proc/net/nf_conntrack | v6compress > /tmp/nf
	a=$(counters /tmp/ct "^tcp .*dst=$addr sport=[0-9]+ dport=8080 ")
	b=$(counters /tmp/nf "tcp .*dst=$addr sport=[0-9]+ dport=8080 ")
	echo "ctrack: $a / nf_conntrack: $b"
	check "lo $addr: tracked once (counters equal nf_conntrack's: $a)" \
		test -n "$a" -a "$a" = "$b"
done
check "lo: idle entries hold only the table's reference (use=1)" wait_for 3 bash -c \
	"ctlist lo1 | grep -q . && ! ctlist lo1 | grep -v ' use=1\$'"
check "lo: no verdict lost" test "$(ctstat lo1 verdict_miss)" = 0
check "lo: nothing counted invalid" test "$(ctstat lo1 invalid)" = 0
ip netns del lo1
finish
