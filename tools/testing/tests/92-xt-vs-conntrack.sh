#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# -m conntrack and -m ctrack side by side on the same packets: rt counts
# every packet it forwards or receives in a 5 x 5 matrix of rules
# "-m conntrack --ctstate A -m ctrack --ctstate B" (A, B among INVALID,
# NEW, ESTABLISHED, RELATED, UNTRACKED), one matrix per family, printed.
#
#   cl  10.0.1.1  fd00:1::1 ---- rt ---- sv  10.0.2.1  fd00:2::1
#                                |       serves TCP 8080, echo 9090, UDP 5353;
#                  FORWARD -j MX |       REJECTs TCP 7778 (port unreachable);
#                  INPUT   -j MX |       no handler for protocols 253, 47, 132
#
#   MX: the 25 cells, a rule counting every packet, and for each kind of
#   packet below its count and the cells it must land in.
#
# Traffic from cl, over IPv4 and then IPv6 (nf_conntrack and ctrack with
# their defaults: checksums verified, tcp_loose on, not liberal):
#   TCP: 2 requests (sessions opened and closed), a held session with data,
#        a SYN to a closed port (RST), SYNs to a rejected port (RELATED)
#   UDP: 2 requests, one to a closed port (its port unreachable: RELATED)
#   ICMP: 2 pings, a ping in fragments (reassembled by both)
#   datagrams of protocols 253 and 47 (generic for both; their errors are
#        RELATED) and a truncated SCTP datagram (see below)
#   crafted TCP: SYN+FIN, no flags, a SYN with a bad checksum, a stray RST,
#        a stray SYN/ACK (its ICMP error quotes no flow: INVALID), a RST far
#        outside the held session's window: INVALID for both; a stray ACK:
#        NEW for both (tcp_loose picks it up), and sv's RST answer
#        ESTABLISHED for both
#   IPv6 neighbour discovery at rt (neighbour caches flushed): UNTRACKED
#
# Every packet lands in one cell; every packet lands on the diagonal except
# those that Documentation/design.md explains ("Where ctrack and
# nf_conntrack disagree"): the SCTP datagram (INVALID for nf_conntrack,
# whose SCTP tracker rejects a datagram shorter than the SCTP header; NEW
# for ctrack, which tracks SCTP generically) and the ICMP error that quotes
# it (INVALID: nf_conntrack has no entry; RELATED for ctrack). Those cells
# are asserted exactly, so that any change is noticed.
. ./lib.bash
plan 161
trap topo_down EXIT

states="INVALID NEW ESTABLISHED RELATED UNTRACKED"
declare -A C

modprobe nf_conntrack 2>/dev/null
ctrack_load
topo_up
servers_up
for ipt in iptables ip6tables; do
	ip netns exec sv $ipt -A INPUT -p tcp --dport 7778 -j REJECT
done
# sv answers 8 packets of each family with an ICMP error: no rate limit.
ip netns exec sv sysctl -qw net.ipv4.icmp_ratelimit=0
ip netns exec sv sysctl -qw net.ipv6.icmp.ratelimit=0

# The off-diagonal cells and what they hold (explained in design.md).
declare -A off=([INVALID.NEW]=1 [INVALID.RELATED]=1)

# kinds FAMILY: one line per kind of packet: NAME, then its cells
# (CONNTRACK.CTRACK=COUNT, COUNT "+" for "one or more", the cells adding
# up to the kind's count), then "--" and the header matches that select it.
kinds() {
	local cl sv icmp t perr
	if [ "$1" = 4 ]; then
		cl=10.0.1.1 sv=10.0.2.1 icmp=icmp t=--icmp-type perr=protocol-unreachable
	else
		cl=fd00:1::1 sv=fd00:2::1 icmp=icmpv6 t=--icmpv6-type perr=parameter-problem
	fi
	cat <<EOF
synfin INVALID.INVALID=1 -- -s $cl -p tcp --tcp-flags ALL SYN,FIN
noflags INVALID.INVALID=1 -- -s $cl -p tcp --tcp-flags ALL NONE
badsum INVALID.INVALID=1 -- -s $cl -p tcp --sport 4446
strayrst INVALID.INVALID=1 -- -s $cl -p tcp --sport 4447
straysynack INVALID.INVALID=1 -- -s $cl -p tcp --sport 4448
oowrst INVALID.INVALID=1 -- -s $cl -p tcp --dport 9090 --tcp-flags RST RST
strayack NEW.NEW=1 -- -s $cl -p tcp --sport 4449
strayackrst ESTABLISHED.ESTABLISHED=1 -- -s $sv -p tcp --dport 4449 --tcp-flags RST RST
closedrst ESTABLISHED.ESTABLISHED=1 -- -s $sv -p tcp --sport 7777 --tcp-flags RST RST
rejectsyn NEW.NEW=+ -- -s $cl -p tcp --dport 7778 --tcp-flags SYN,ACK,FIN,RST SYN
portunr RELATED.RELATED=+ INVALID.INVALID=1 -- -s $sv -p $icmp $t port-unreachable
udpreq NEW.NEW=2 -- -s $cl -p udp --dport 5353
udpreply ESTABLISHED.ESTABLISHED=2 -- -s $sv -p udp --sport 5353
udpclosed NEW.NEW=1 -- -s $cl -p udp --dport 9999
ping NEW.NEW=3 -- -s $cl -p $icmp $t echo-request
pong ESTABLISHED.ESTABLISHED=3 -- -s $sv -p $icmp $t echo-reply
proto253 NEW.NEW=1 -- -s $cl -p 253
gre NEW.NEW=1 -- -s $cl -p 47
sctp INVALID.NEW=1 -- -s $cl -p 132
protoerr RELATED.RELATED=2 INVALID.RELATED=1 -- -s $sv -p $icmp $t $perr
EOF
	[ "$1" = 6 ] && cat <<EOF
ns UNTRACKED.UNTRACKED=+ -- -p icmpv6 --icmpv6-type neighbour-solicitation
na UNTRACKED.UNTRACKED=+ -- -p icmpv6 --icmpv6-type neighbour-advertisement
EOF
}

# mx_rules IPT FAMILY: chain MX, called from FORWARD and INPUT
mx_rules() {
	local ipt=$1 a b name cells cell sel
	ip netns exec rt "$ipt" -N MX || return 1
	ip netns exec rt "$ipt" -A MX -m comment --comment k:all || return 1
	for a in $states; do
		for b in $states; do
			ip netns exec rt "$ipt" -A MX -m conntrack --ctstate "$a" \
				-m ctrack --ctstate "$b" -m comment --comment "k:$a.$b" || return 1
		done
	done
	while read -r name cells; do
		sel=${cells#*-- }
		cells=${cells%% --*}
		# shellcheck disable=SC2086 # $sel: the selector's words
		ip netns exec rt "$ipt" -A MX $sel -m comment --comment "k:$name" || return 1
		for cell in $cells; do
			cell=${cell%=*}
			# shellcheck disable=SC2086
			ip netns exec rt "$ipt" -A MX $sel -m conntrack --ctstate "${cell%.*}" \
				-m ctrack --ctstate "${cell#*.}" \
				-m comment --comment "k:$name/$cell" || return 1
		done
	done <<<"$(kinds "$2")"
	ip netns exec rt "$ipt" -A FORWARD -j MX &&
		ip netns exec rt "$ipt" -A INPUT -j MX
}

# snap_once IPT: fill C from a dump of MX that the next dump repeats (no
# packet was half-way through the chain while it was read)
snap_once() { chain_counters "$1" MX; }
c() { echo "${C[$1]:-0}"; }

# is NAME WANT: rule k:NAME counted WANT ("+": one or more) packets
is() {
	local got=${C[$1]:-missing}
	if [ "$2" = + ]; then
		[ "$got" != missing ] && [ "$got" -gt 0 ] && return 0
	else
		[ "$got" = "$2" ] && return 0
	fi
	echo "  k:$1 counted $got, expected $2"
	return 1
}

# matrix TITLE: print the matrix of the last snapshot
matrix() {
	local a b row
	echo "$1: rows: -m conntrack --ctstate; columns: -m ctrack --ctstate; $(c all) packets"
	row=$(printf '%-12s' '')
	for b in $states; do row+=$(printf ' %11s' "$b"); done
	echo "$row"
	for a in $states; do
		row=$(printf '%-12s' "$a")
		for b in $states; do row+=$(printf ' %11s' "$(c "$a.$b")"); done
		echo "$row"
	done
}

check "iptables: the matrix loads" mx_rules iptables 4
check "ip6tables: the matrix loads" mx_rules ip6tables 6

ip -n cl -6 neigh flush dev veth0
ip -n rt -6 neigh flush dev veth0
ip -n rt -6 neigh flush dev veth1

for f in 4 6; do
	if [ $f = 4 ]; then
		cl=10.0.1.1 sv=10.0.2.1 ping=ping
	else
		cl=fd00:1::1 sv=fd00:2::1 ping=ping6
	fi
	hold_open cl "$sv" 9090
	check "ipv$f: a held session" wait_for 10 ctgrep rt \
		"ESTABLISHED src=$cl dst=$sv sport=[0-9]+ dport=9090 .*ASSURED"
	for i in 1 2; do
		check "ipv$f: TCP request $i" ip netns exec cl ctpkt tcpreq "$sv" 8080
		check "ipv$f: UDP request $i" ip netns exec cl ctpkt udpreq "$sv" 5353
		check "ipv$f: ping $i" ip netns exec cl $ping -c 1 -W 30 "$sv" >/dev/null
	done
	check "ipv$f: a ping in fragments" \
		ip netns exec cl $ping -c 1 -W 30 -s 3000 "$sv" >/dev/null
	# (busybox's timeout would run its own ip applet: timeout goes inside)
	ip netns exec cl timeout 40 ctpkt tcpreq "$sv" 7777
	check "ipv$f: TCP to a closed port is reset" test $? = 1
	ip netns exec cl timeout 40 ctpkt tcpreq "$sv" 7778
	check "ipv$f: TCP to a rejected port is refused" test $? = 1
	ip netns exec cl timeout 40 ctpkt udpreq "$sv" 9999
	check "ipv$f: UDP to a closed port is refused" test $? = 1
	for p in 253 47 132; do
		check "ipv$f: a datagram of protocol $p" ip netns exec cl ctpkt proto "$sv" $p
	done
	ip netns exec cl ctpkt tcp "$cl" "$sv" 4444 8080 SF
	ip netns exec cl ctpkt tcp "$cl" "$sv" 4445 8080 none
	ip netns exec cl ctpkt tcp "$cl" "$sv" 4446 8080 SX
	ip netns exec cl ctpkt tcp "$cl" "$sv" 4447 8080 R
	ip netns exec cl ctpkt tcp "$cl" "$sv" 4448 7778 SA 5000 6000
	ip netns exec cl ctpkt tcp "$cl" "$sv" 4449 8080 A 7000 8000
	sp=$(ctlist rt | grep -E "^tcp .* src=$cl dst=$sv sport=[0-9]+ dport=9090 " |
	     grep -o 'sport=[0-9]*' | head -1 | cut -d= -f2)
	ip netns exec cl ctpkt tcp "$cl" "$sv" "$sp" 9090 R 123456789
	echo "more data" >&9
	check "ipv$f: the held session closes cleanly" hold_close
done

# The traffic is over once the last crafted packets' answers went
# through and both trackers saw the held sessions close.
done_once() {
	snap_once "$1" && [ "$(c strayackrst)" = 1 ] && [ "$(c portunr)" -ge 3 ] &&
		[ "$(c protoerr)" = 3 ] && [ "$(c oowrst)" = 1 ] &&
		ctgrep rt "TIME_WAIT src=$2 .* dport=9090 " &&
		ip netns exec rt grep -q "TIME_WAIT src=$3 .* dport=9090 " /proc/net/nf_conntrack
}

for f in 4 6; do
	ipt=iptables fam=ipv4 cl=10.0.1.1 nfcl=10.0.1.1
	[ $f = 6 ] && ipt=ip6tables fam=ipv6 cl=fd00:1::1 \
		nfcl=fd00:0001:0000:0000:0000:0000:0000:0001
	check "$fam: the traffic is over" wait_for 10 done_once $ipt "$cl" "$nfcl"
	check "$fam: counters read while no packet is in flight" wait_for 10 snap_once $ipt
	matrix "$fam"
	sum=0
	for a in $states; do
		for b in $states; do
			sum=$((sum + $(c "$a.$b")))
			[ "$a" = "$b" ] && continue
			want=0
			[ -n "${off[$a.$b]}" ] && want=${off[$a.$b]}
			check "$fam: conntrack $a, ctrack $b: $want" is "$a.$b" "$want"
		done
	done
	check "$fam: every packet lands in one cell ($sum of $(c all))" test "$sum" = "$(c all)"
	while read -r name cells; do
		cells=${cells%% --*}
		n=0
		for cell in $cells; do
			check "$fam: $name: ${cell/=/ }" is "$name/${cell%=*}" "${cell#*=}"
			n=$((n + $(c "$name/${cell%=*}")))
		done
		check "$fam: $name: in no other cell ($(c "$name"))" is "$name" "$n"
	done <<<"$(kinds $f)"
done
check "no verdict lost (the hooks and the match found every verdict)" test \
	"$(ctstat rt verdict_miss)" = 0 -a "$(ctstat cl verdict_miss)" = 0 -a \
	"$(ctstat sv verdict_miss)" = 0
finish
