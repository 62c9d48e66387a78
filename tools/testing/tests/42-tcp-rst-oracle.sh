#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Blind resets (RFC 5961 3.2), with nf_conntrack as the oracle: crafted
# segments of one TCP flow cross rt, where both trackers follow it.
#
#   cl 10.0.1.1 fd00:1::1 ---- rt (ctrack + nf_conntrack) ---- sv 10.0.2.1 fd00:2::1
#
# cl and sv drop the flow's segments in their raw tables, so that their
# own stacks never answer; every segment is ctpkt's, with chosen sequence
# numbers (window 1024, no options). Handshake and one more ACK each way
# make the flow ESTABLISHED and ASSURED; then, from cl:
#   a RST inside the window but not at sv's expected sequence: both keep
#   ESTABLISHED (the real peer would send a challenge ACK);
#   a RST at exactly the expected sequence: both CLOSE.
# Each step also compares what both trackers call the packet (the
# --ctstate of -m conntrack and -m ctrack on rt's FORWARD chain).
. ./lib.bash
trap topo_down EXIT

modprobe nf_conntrack 2>/dev/null
ctrack_load
topo_up
for ns in cl sv; do
	for ipt in iptables ip6tables; do
		ip netns exec $ns $ipt -t raw -A PREROUTING -p tcp --sport 41000 -j DROP
		ip netns exec $ns $ipt -t raw -A PREROUTING -p tcp --dport 41000 -j DROP
	done
done
for ipt in iptables ip6tables; do
	for st in INVALID NEW ESTABLISHED; do
		ip netns exec rt $ipt -A FORWARD -p tcp -m conntrack --ctstate $st \
			-m ctrack --ctstate $st -m comment --comment "both:$st"
	done
done

# state FAMILY: "ctrack-state nf_conntrack-state" of the flow on rt
state() {
	local ct nf
	ct=$(ip netns exec rt cat /proc/net/ctrack | grep ' sport=41000 ' | awk '{ print $4 }')
	nf=$(ip netns exec rt cat /proc/net/nf_conntrack | grep ' sport=41000 ' | awk '{ print $6 }')
	echo "${ct:-none} ${nf:-none}"
}

# agreed FAMILY STATE: packets that both trackers called STATE
agreed() {
	local ipt=iptables
	[ "$1" = 6 ] && ipt=ip6tables
	ip netns exec rt $ipt -L FORWARD -v -x -n | awk -v c="both:$2" '$0 ~ c { print $1 }'
}

for pair in "4 10.0.1.1 10.0.2.1" "6 fd00:1::1 fd00:2::1"; do
	set -- $pair
	f=$1 c=$2 s=$3
	seg() { # seg FROM FLAGS SEQ [ACK]
		if [ "$1" = cl ]; then
			ip netns exec cl ctpkt tcp "$c" "$s" 41000 7000 "${@:2}"
		else
			ip netns exec sv ctpkt tcp "$s" "$c" 7000 41000 "${@:2}"
		fi
	}
	seg cl S 1000
	seg sv SA 5000 1001
	seg cl A 1001 5001
	seg sv A 5001 1001
	seg cl A 1001 5001
	check "ipv$f: handshake: both trackers ESTABLISHED" \
		wait_for 3 eval '[ "$(state)" = "ESTABLISHED ESTABLISHED" ]'
	check "ipv$f: ... and ASSURED in both" \
		eval 'ip netns exec rt grep " sport=41000 .*ASSURED" /proc/net/ctrack >/dev/null &&
		      ip netns exec rt grep " sport=41000 .*ASSURED" /proc/net/nf_conntrack >/dev/null'
	est=$(agreed "$f" ESTABLISHED)
	seg cl R 1501
	check "ipv$f: a RST 500 bytes into the window keeps ESTABLISHED in both ($(state))" \
		wait_for 3 eval '[ "$(state)" = "ESTABLISHED ESTABLISHED" ]'
	check "ipv$f: ... both called it ESTABLISHED" \
		wait_for 3 eval '[ "$(agreed $f ESTABLISHED)" = $((est + 1)) ]'
	seg cl R 1001
	check "ipv$f: a RST at the expected sequence closes both ($(state))" \
		wait_for 3 eval '[ "$(state)" = "CLOSE CLOSE" ]'
	check "ipv$f: ... both called it ESTABLISHED" \
		wait_for 3 eval '[ "$(agreed $f ESTABLISHED)" = $((est + 2)) ]'
done
finish
