#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# UDP and ICMP against nf_conntrack: the entries both trackers list in rt
# for the same flows, their timeouts, and when they expire. Timeouts are
# shortened by sysctl to the same values in both: UDP 20 s, UDP stream
# 30 s, ICMP and ICMPv6 20 s.
#
#   unreplied  one datagram to a port nobody serves on sv
#   replied    a request and its answer (sv's ctpkt udpserve)
#   stream     a request and its answer, another pair 3 s later: a
#              stream (replied more than 2 s after it began), ASSURED
#   ping       an echo request and its reply
#
# Each in IPv4 and IPv6, from one socket each. After each case both list
# the same entry (tuples, flags, counters) with timeouts within 2 s of
# each other. Then nothing is sent: both must drop all of them, the last
# (the stream's) within 3 s of each other.
. ./lib.bash
plan 19
trap topo_down EXIT

modprobe nf_conntrack 2>/dev/null
check "insmod ctrack.ko" ctrack_load
topo_up
ip netns exec rt sysctl -qw net.netfilter.nf_conntrack_acct=1
ip netns exec rt iptables -A FORWARD -m conntrack --ctstate NEW,ESTABLISHED,RELATED,INVALID
ip netns exec rt ip6tables -A FORWARD -m conntrack --ctstate NEW,ESTABLISHED,RELATED,INVALID
for kv in udp_timeout=20 udp_timeout_stream=30 icmp_timeout=20 icmpv6_timeout=20; do
	ip netns exec rt sysctl -qw "net.ctrack.$kv" "net.netfilter.nf_conntrack_$kv"
done
udp_server sv 5353
# Nothing from before the shortened timeouts (topo_up's pings).
ip netns exec rt ctrack -F >/dev/null
ip netns exec rt conntrack -F 2>/dev/null

# timeouts PATTERN: "ctrack's nf_conntrack's" remaining seconds
timeouts() {
	local ct nf
	ct=$(ip netns exec rt cat /proc/net/ctrack | grep -E -- "$1" | awk '{ print $3; exit }')
	nf=$(ip netns exec rt cat /proc/net/nf_conntrack | v6compress | grep -E -- "$1" |
		awk '{ print $5; exit }')
	echo "${ct:-none} ${nf:-none}"
}

# compare NAME PATTERN: same entry, timeouts within 2 s
compare() {
	local t
	agree "$1: ctrack and nf_conntrack list the same entry" "$2"
	read -ra t <<<"$(timeouts "$2")"
	check "$1: timeouts agree (ctrack ${t[0]} s, nf_conntrack ${t[1]} s)" \
		test "${t[0]}" != none -a "${t[1]}" != none -a \
		"$(( ${t[0]:-0} - ${t[1]:-0} ))" -le 2 -a "$(( ${t[1]:-0} - ${t[0]:-0} ))" -le 2
}

for sv in 10.0.2.1 fd00:2::1; do
	fam=IPv4 ping=ping
	[ $sv = fd00:2::1 ] && fam=IPv6 ping=ping6
	ip netns exec cl bash -c "exec 3<>/dev/udp/$sv/7101; echo a >&3"
	compare "$fam unreplied" "dst=$sv sport=[0-9]+ dport=7101 "
	ip netns exec cl bash -c "exec 3<>/dev/udp/$sv/5353; echo a >&3; read -t 5 -r _ <&3"
	compare "$fam replied" "dst=$sv sport=[0-9]+ dport=5353 "
	ip netns exec cl bash -c "exec 3<>/dev/udp/$sv/5353; echo a >&3; read -t 5 -r _ <&3;
		sleep 3; echo b >&3; read -t 5 -r _ <&3"
	compare "$fam stream" "dst=$sv sport=[0-9]+ dport=5353 .*ASSURED"
	ip netns exec cl $ping -q -c1 -W5 $sv >/dev/null
	compare "$fam ping" "dst=$sv type=(8|128) "
done

# listed WHO: how many of the cases' entries WHO (ctrack, nf_conntrack) lists
listed() {
	ip netns exec rt cat /proc/net/"$1" |
		grep -cE -- "dport=(7101|5353) |type=(8|128) "
}
ct_gone= nf_gone=
for i in $(seq 1 140); do
	[ -z "$ct_gone" ] && [ "$(listed ctrack)" = 0 ] && ct_gone=$i
	[ -z "$nf_gone" ] && [ "$(listed nf_conntrack)" = 0 ] && nf_gone=$i
	[ -n "$ct_gone" ] && [ -n "$nf_gone" ] && break
	sleep 0.5
done
check "both trackers dropped every entry on its timeout (ctrack after ${ct_gone:-?}, nf_conntrack after ${nf_gone:-?} half-seconds)" \
	test -n "$ct_gone" -a -n "$nf_gone"
check "... the last of them (the stream's) within 3 s of each other" \
	test "$(( ${ct_gone:-0} - ${nf_gone:-999} ))" -le 6 -a "$(( ${nf_gone:-0} - ${ct_gone:-999} ))" -le 6
finish
