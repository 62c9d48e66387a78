#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What REJECT sends back, against nf_conntrack. The TCP reset or ICMP
# error that the REJECT target builds for a refused packet leaves through
# OUTPUT of the namespace that refused it, while the refused packet's
# entry is not confirmed (it never will be). Both trackers must call each
# answer RELATED (nf_conntrack attaches the refused packet's entry), and
# a firewall that drops INVALID in OUTPUT must still let it out: the
# client is refused at once instead of waiting for its connect timeout,
# and a UDP client learns that the port is closed.
#
#   cl 10.0.1.1 fd00:1::1 ---- rt (REJECT in FORWARD) ---- sv (REJECT in INPUT)
#
# sv refuses TCP to port 81 with a reset and UDP to port 82 with a port
# unreachable; rt refuses TCP to port 83 and UDP to port 84 the same way.
# The rejecting namespace counts its OUTPUT packets on chain RJ: one rule
# a state with both matches (counting agreement), one counting all.
. ./lib.bash
plan 20
trap topo_down EXIT

modprobe nf_conntrack 2>/dev/null
check "insmod ctrack.ko" ctrack_load
topo_up
states="INVALID NEW ESTABLISHED RELATED UNTRACKED"
for ns in sv rt; do
	for ipt in iptables ip6tables; do
		icmp="-p icmp"
		[ $ipt = ip6tables ] && icmp="-p ipv6-icmp --icmpv6-type destination-unreachable"
		ip netns exec $ns $ipt -N RJ
		ip netns exec $ns $ipt -A OUTPUT -p tcp --tcp-flags RST RST -j RJ
		ip netns exec $ns $ipt -A OUTPUT $icmp -j RJ
		for st in $states; do
			ip netns exec $ns $ipt -A RJ -m conntrack --ctstate $st \
				-m ctrack --ctstate $st -m comment --comment "both:$st"
			ip netns exec $ns $ipt -A RJ -m ctrack --ctstate $st \
				-m comment --comment "ctrack:$st"
		done
		# What a stateful firewall has: no INVALID packet leaves.
		ip netns exec $ns $ipt -A OUTPUT -m ctrack --ctstate INVALID -j DROP
	done
done
for ipt in iptables ip6tables; do
	ip netns exec sv $ipt -A INPUT -p tcp --dport 81 -j REJECT --reject-with tcp-reset
	ip netns exec sv $ipt -A INPUT -p udp --dport 82 -j REJECT
	ip netns exec rt $ipt -A FORWARD -p tcp --dport 83 -j REJECT --reject-with tcp-reset
	ip netns exec rt $ipt -A FORWARD -p udp --dport 84 -j REJECT
done

contains() { [[ $1 == *"$2"* ]]; }

# rj NS FAMILY: "all agreed ctrack-state" of chain RJ in NS
rj() {
	local ipt=iptables
	[ "$2" = 6 ] && ipt=ip6tables
	{
		ip netns exec "$1" $ipt -L OUTPUT -v -x -n | awk '$3 == "RJ" { a += $1 } END { printf "%d ", a }'
		ip netns exec "$1" $ipt -L RJ -v -x -n | awk '
			/both:/ { s += $1 }
			match($0, /ctrack:[A-Z]+/) && $1 > 0 { st = st substr($0, RSTART + 7, RLENGTH - 7) }
			END { printf "%d %s\n", s, st ? st : "-" }'
	}
}

zero() {
	local ipt
	for ipt in iptables ip6tables; do
		ip netns exec "$1" $ipt -Z OUTPUT
		ip netns exec "$1" $ipt -Z RJ
	done
}

# refused NS FAMILY ADDRESS PORT WHAT KIND
refused() {
	local ns=$1 fam=$2 addr=$3 port=$4 what=$5 kind=$6 out
	local -a r
	zero "$ns"
	if [ "$kind" = tcp ]; then
		out=$(ip netns exec cl timeout 10 bash -c "exec 3<>/dev/tcp/$addr/$port" 2>&1)
		check "$what: the client is refused at once ($out)" contains "$out" "Connection refused"
	else
		# The error arrives between the two writes: the second fails.
		out=$(ip netns exec cl timeout 10 bash -c \
			"exec 3<>/dev/udp/$addr/$port; echo x >&3; sleep 1; echo y >&3" 2>&1)
		check "$what: the client learns of it ($out)" contains "$out" "Connection refused"
	fi
	wait_for 5 eval '[ "$(rj "$ns" "$fam" | cut -d" " -f1)" -ge 1 ]'
	read -ra r <<<"$(rj "$ns" "$fam")"
	check "$what: RELATED in both trackers (${r[2]}: ${r[1]} of ${r[0]} agreed)" \
		test "${r[0]}" -ge 1 -a "${r[1]}" = "${r[0]}" -a "${r[2]}" = RELATED
}

for fam in 4 6; do
	sv=10.0.2.1
	[ $fam = 6 ] && sv=fd00:2::1
	refused sv $fam $sv 81 "IPv$fam: sv's reset for a SYN to a port it refuses" tcp
	refused sv $fam $sv 82 "IPv$fam: sv's port unreachable for a refused datagram" udp
	refused rt $fam $sv 83 "IPv$fam: rt's reset for a SYN it refuses to forward" tcp
	refused rt $fam $sv 84 "IPv$fam: rt's port unreachable for a datagram it refuses to forward" udp
done

# The refused packets' entries were never confirmed: the refusing
# namespace lists none.
check "sv lists no entry of a flow it refused" \
	eval '! ip netns exec sv cat /proc/net/ctrack | grep -q "dport=8[12] "'
check "rt lists no entry of a flow it refused" \
	eval '! ip netns exec rt cat /proc/net/ctrack | grep -q "dport=8[34] "'

check "no verdict handoff went astray" test "$(cat /sys/module/ctrack/parameters/verdict_mismatch)" = 0
finish
