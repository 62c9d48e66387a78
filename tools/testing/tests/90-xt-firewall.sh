#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A stateful firewall written with -m ctrack protects sv, over IPv4 and
# IPv6, with iptables-nft and then iptables-legacy:
#
#   INPUT policy DROP
#   -p icmp[v6] -m ctrack --ctstate RELATED          (counts only)
#   -m ctrack --ctstate ESTABLISHED,RELATED -j ACCEPT
#   -m ctrack --ctstate INVALID -j DROP
#   -p icmpv6 -m ctrack --ctstate UNTRACKED -j ACCEPT (neighbour discovery)
#   -p tcp --dport 8080|9090 -m ctrack --ctstate NEW -j ACCEPT
#   -p udp --dport 5353 -m ctrack --ctstate NEW -j ACCEPT
#
# Allowed sessions work, unsolicited ones do not, an ICMP error about a
# flow of sv's is RELATED, a SYN+FIN and an out-of-window RST are INVALID
# and dropped, loopback works; rules keep the module in use; the rules
# read back (iptables -S, -L) and survive iptables-save | iptables-restore.
# (Topology: lib.bash.)
. ./lib.bash
plan 45
trap topo_down EXIT

# counter VARIANT IPT RULE-SPEC: packets the sv INPUT rule has counted
counter() {
	ip netns exec sv "$2-$1" -L INPUT -v -x -n | awk -v spec="$3" '
		NR > 2 && index($0, spec) { print $1; found = 1; exit }
		END { if (!found) print -1 }'
}

fw_up() {
	local v=$1 ipt icmp
	for ipt in iptables ip6tables; do
		icmp=icmp
		[ $ipt = ip6tables ] && icmp=icmpv6
		ip netns exec sv $ipt-$v -P INPUT DROP
		ip netns exec sv $ipt-$v -A INPUT -p $icmp -m ctrack --ctstate RELATED
		ip netns exec sv $ipt-$v -A INPUT -m ctrack --ctstate ESTABLISHED,RELATED -j ACCEPT
		ip netns exec sv $ipt-$v -A INPUT -m ctrack --ctstate INVALID -j DROP
		[ $ipt = ip6tables ] &&
			ip netns exec sv $ipt-$v -A INPUT -p icmpv6 -m ctrack --ctstate UNTRACKED -j ACCEPT
		ip netns exec sv $ipt-$v -A INPUT -p tcp --dport 8080 -m ctrack --ctstate NEW -j ACCEPT
		ip netns exec sv $ipt-$v -A INPUT -p tcp --dport 9090 -m ctrack --ctstate NEW -j ACCEPT
		ip netns exec sv $ipt-$v -A INPUT -p udp --dport 5353 -m ctrack --ctstate NEW -j ACCEPT
	done
}

fw_down() {
	local v=$1 ipt
	for ipt in iptables ip6tables; do
		ip netns exec sv $ipt-$v -F INPUT
		ip netns exec sv $ipt-$v -P INPUT ACCEPT
	done
}

ctrack_load
topo_up
servers_up
tcp_server sv 7070
wait_for 5 listening sv 7070

for v in nft legacy; do
	check "[$v] the firewall loads" fw_up $v
	for dst in 10.0.2.1 fd00:2::1; do
		check "[$v] TCP to an allowed port ($dst)" ip netns exec cl ctpkt tcpreq $dst 8080
		check "[$v] UDP to an allowed port ($dst)" ip netns exec cl ctpkt udpreq $dst 5353
		# (busybox's timeout would run its own ip applet: timeout goes inside)
		ip netns exec cl timeout 3 ctpkt tcpreq $dst 7070
		check "[$v] TCP to a port not allowed is blocked ($dst): no answer, no RST" \
			test $? = 143
	done
	check "[$v] loopback TCP to an allowed port" ip netns exec sv ctpkt tcpreq 127.0.0.1 8080
	check "[$v] loopback TCP over IPv6" ip netns exec sv ctpkt tcpreq ::1 8080

	# sv's own flow to a closed port of cl: the port unreachable is RELATED.
	for ipt in iptables ip6tables; do
		dst=10.0.1.1
		[ $ipt = ip6tables ] && dst=fd00:1::1
		before=$(counter $v $ipt "ctstate RELATED")
		# Refused at once when the ICMP error gets in; else no answer.
		ip netns exec sv timeout 10 ctpkt udpreq $dst 9999
		check "[$v] an ICMP port unreachable for sv's flow is let in ($dst)" test $? = 1
		after=$(counter $v $ipt "ctstate RELATED")
		check "[$v] ... and counted RELATED ($before -> $after)" test "$after" -gt "$before"
	done

	# INVALID packets: SYN+FIN, and a RST far outside the window.
	before=$(counter $v iptables "ctstate INVALID")
	ip netns exec cl ctpkt tcp 10.0.1.1 10.0.2.1 4444 8080 SF
	check "[$v] a SYN+FIN is INVALID and dropped" \
		wait_for 3 bash -c "test \$(ip netns exec sv iptables-$v -L INPUT -v -x -n |
			awk '/ctstate INVALID/ { print \$1 }') -gt $before"
	hold_open cl 10.0.2.1 9090
	wait_for 3 ctgrep sv "ESTABLISHED .*dport=9090 .*ASSURED"
	sp=$(ctlist sv | grep "dport=9090 " | grep -o 'sport=[0-9]*' | head -1 | cut -d= -f2)
	before=$(counter $v iptables "ctstate INVALID")
	ip netns exec cl ctpkt tcp 10.0.1.1 10.0.2.1 "$sp" 9090 R 123456789
	check "[$v] an out-of-window RST is INVALID and dropped" \
		wait_for 3 bash -c "test \$(ip netns exec sv iptables-$v -L INPUT -v -x -n |
			awk '/ctstate INVALID/ { print \$1 }') -gt $before"
	check "[$v] the session lives on" hold_close

	# The rules read back, and round-trip through save and restore.
	check "[$v] iptables -S prints the options back" bash -c \
		"ip netns exec sv iptables-$v -S INPUT | grep -qx -- '-A INPUT -m ctrack --ctstate RELATED,ESTABLISHED -j ACCEPT'"
	check "[$v] iptables -L prints them" bash -c \
		"ip netns exec sv iptables-$v -L INPUT -n | grep -q 'ctrack ctstate INVALID'"
	for ipt in iptables ip6tables; do
		ip netns exec sv $ipt-$v-save -t filter | grep -v '^#' | sed 's/\[[0-9:]*\]//' >/tmp/saved
		ip netns exec sv $ipt-$v -F INPUT
		ip netns exec sv $ipt-$v-restore </tmp/saved
		ip netns exec sv $ipt-$v-save -t filter | grep -v '^#' | sed 's/\[[0-9:]*\]//' >/tmp/again
		check "[$v] $ipt-save | $ipt-restore gives the same rules" \
			bash -c "grep -q -- '-m ctrack' /tmp/saved && cmp -s /tmp/saved /tmp/again"
	done

	# Rules that use the match hold the module.
	check "[$v] rmmod is refused while rules use the match" bash -c "! rmmod ctrack 2>/dev/null"
	check "[$v] ... and the module is still there" bash -c "lsmod | grep -q '^ctrack '"
	fw_down $v
done

# Without rules (legacy tables may keep the match's module reference
# until their table is gone).
ip netns exec sv iptables-legacy -F 2>/dev/null
ip netns exec sv ip6tables-legacy -F 2>/dev/null
check "rmmod works once no rule uses the match" wait_for 5 rmmod ctrack
finish
