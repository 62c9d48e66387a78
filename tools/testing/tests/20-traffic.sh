#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real traffic through client, router and server namespaces (see lib.sh
# for the topology), over IPv4 and IPv6: TCP handshake, data and FIN
# close; TCP to a closed port (RST); UDP request and response; ping; an
# ICMP port unreachable (RELATED); invalid packets. Assertions read
# /proc/net/ctrack and /proc/net/stat/ctrack of the router and endpoints.
. ./lib.bash
plan 46
trap topo_down EXIT

ctrack_load
topo_up
servers_up

run_family() {
	local v=$1 cl=$2 sv=$3 fam=$4 icmp=$5 ping=$6

	# TCP: handshake, a request, the answer, FIN close by the server.
	check "$v tcp request through the router" ip netns exec cl ctpkt tcpreq "$sv" 8080
	check "$v tcp entry in the router: TIME_WAIT or CLOSE after FIN, ASSURED" \
		wait_for 5 ctgrep rt "^tcp +6 [0-9]+ (TIME_WAIT|LAST_ACK|CLOSE_WAIT) src=$cl dst=$sv sport=[0-9]+ dport=8080 .*src=$sv dst=$cl sport=8080 .*\[ASSURED\]"
	# At least the handshake, request and FIN each way; retransmissions
	# on a loaded VM add more, and the last ACK may still be on its way.
	if wait_for 5 ctgrep rt "dport=8080 packets=([5-9]|[1-9][0-9]+) bytes=[0-9]+ src=$sv .* packets=([4-9]|[1-9][0-9]+) bytes=[0-9]+ \[ASSURED\]"; then
		pass "$v tcp entry: both directions counted"
	else
		fail "$v tcp entry: both directions counted: $(ctlist rt | grep -- "dport=8080 " | tr '\n' ' ')"
	fi
	check "$v tcp entry on both endpoints too" bash -c \
		"ip netns exec cl cat /proc/net/ctrack | grep -q 'dst=$sv sport=[0-9]* dport=8080' &&
		 ip netns exec sv cat /proc/net/ctrack | grep -q 'dst=$sv sport=[0-9]* dport=8080'"

	# An established session, kept open: ESTABLISHED while it lasts.
	hold_open cl "$sv" 9090
	check "$v tcp ESTABLISHED [ASSURED] while the session is open" \
		wait_for 3 ctgrep rt "^tcp +6 43[0-9]{4} ESTABLISHED src=$cl dst=$sv .*dport=9090 .*\[ASSURED\]"
	check "$v tcp session closed cleanly" hold_close

	# TCP to a closed port: answered by a RST, nothing stays established.
	# The SYN's entry is confirmed, and the RST, its only answer, ends it
	# at once (as nf_conntrack drops such a flow).
	local ins
	ins=$(ctstat rt insert)
	ip netns exec cl ctpkt tcpreq "$sv" 7 2>/dev/null
	check "$v tcp to a closed port: the SYN's entry was confirmed" \
		test "$(ctstat rt insert)" -gt "$ins"
	check "$v tcp to a closed port leaves no live entry" \
		bash -c "! ctlist rt | grep 'dport=7 ' | grep -qv CLOSE"

	# UDP request and response.
	check "$v udp request and response" ip netns exec cl ctpkt udpreq "$sv" 5353
	check "$v udp entry replied, 30 s timeout, not assured" \
		ctgrep rt "^udp +17 (2[0-9]|30) src=$cl dst=$sv sport=[0-9]+ dport=5353 packets=1 .*src=$sv dst=$cl sport=5353 .*packets=1 .*mark=0"
	check "$v udp entry not UNREPLIED, not ASSURED" \
		bash -c "test \$(ctlist rt | grep -c 'src=$cl dst=$sv sport=[0-9]* dport=5353 ') = 1 &&
			 ! ctlist rt | grep 'src=$cl dst=$sv sport=[0-9]* dport=5353 ' | grep -q 'UNREPLIED\|ASSURED'"

	# ping
	check "$v ping" ip netns exec cl $ping -c2 -W2 "$sv" >/dev/null
	check "$v $icmp echo entry with id and both directions" \
		ctgrep rt "^$icmp +[0-9]+ (2[0-9]|30) src=$cl dst=$sv type=$7 code=0 id=[0-9]+ packets=2 .*type=$8 code=0 id=[0-9]+ packets=2"

	# ICMP port unreachable for a UDP flow: RELATED in the router and
	# at the client.
	local rel_rt rel_cl
	rel_rt=$(ctstat rt related)
	rel_cl=$(ctstat cl related)
	ip netns exec cl ctpkt udpreq "$sv" 9 2>/dev/null
	check "$v ICMP port unreachable is RELATED in the router" \
		test "$(ctstat rt related)" -gt "$rel_rt"
	check "$v ICMP port unreachable is RELATED at the client" \
		test "$(ctstat cl related)" -gt "$rel_cl"
	check "$v udp entry to the closed port stays UNREPLIED" \
		ctgrep rt "^udp .*dport=9 .*\[UNREPLIED\]"
}

run_family IPv4 10.0.1.1 10.0.2.1 4 icmp ping 8 0
run_family IPv6 fd00:1::1 fd00:2::1 6 icmpv6 ping6 128 129

# Invalid packets: classified INVALID (counted), never create an entry,
# and ctrack lets them through (the ruleset decides).
inv=$(ctstat sv invalid)
ip netns exec cl ctpkt tcp 10.0.1.1 10.0.2.1 1111 8080 SF
ip netns exec cl ctpkt tcp 10.0.1.1 10.0.2.1 1112 8080 none
ip netns exec cl ctpkt tcp fd00:1::1 fd00:2::1 1113 8080 SF
check "SYN+FIN and flagless segments are INVALID at the server (v4 and v6)" \
	wait_for 3 bash -c "test \$(ctstat sv invalid) -ge $((inv + 3))"
check "invalid segments create no entry" bash -c "! ctlist sv | grep -q 'sport=111[123] '"
# A SYN/ACK out of nowhere cannot start a flow, even with tcp_loose.
inv=$(ctstat sv invalid)
ip netns exec cl ctpkt tcp 10.0.1.1 10.0.2.1 1114 8080 SA
check "SYN/ACK without a SYN is INVALID" \
	wait_for 3 bash -c "test \$(ctstat sv invalid) -gt $inv"
# Loose pickup: a bare ACK starts an entry, unless tcp_loose is off. (To
# an address nobody answers for: a RST reply would end the entry at once.)
ip netns exec cl ctpkt tcp 10.0.1.1 10.0.2.99 1115 8080 A 5000 7000
check "tcp_loose=1: a mid-stream ACK is picked up as ESTABLISHED" \
	wait_for 3 ctgrep rt "^tcp .* ESTABLISHED src=10.0.1.1 dst=10.0.2.99 sport=1115 dport=8080 .*\[UNREPLIED\]"
ip netns exec rt sysctl -qw net.ctrack.tcp_loose=0
inv=$(ctstat rt invalid)
ip netns exec cl ctpkt tcp 10.0.1.1 10.0.2.99 1116 8080 A 5000 7000
check "tcp_loose=0: a mid-stream ACK is INVALID" \
	wait_for 3 bash -c "test \$(ctstat rt invalid) -gt $inv && ! ctlist rt | grep -q 'sport=1116 '"
ip netns exec rt sysctl -qw net.ctrack.tcp_loose=1

# Checksums are verified at PREROUTING, and the knob turns that off.
inv=$(ctstat rt invalid)
ip netns exec cl ctpkt tcp 10.0.1.1 10.0.2.1 1117 8080 SX
check "checksum=1: a bad TCP checksum is INVALID in the router" \
	wait_for 3 bash -c "test \$(ctstat rt invalid) -gt $inv && ! ctlist rt | grep -q 'sport=1117 '"
ip netns exec rt sysctl -qw net.ctrack.checksum=0
ip netns exec cl ctpkt tcp 10.0.1.1 10.0.2.1 1118 8080 SX
check "checksum=0: the same segment is tracked (SYN_SENT)" \
	wait_for 3 ctgrep rt "^tcp +6 1[012][0-9] SYN_SENT src=10.0.1.1 dst=10.0.2.1 sport=1118 "
ip netns exec rt sysctl -qw net.ctrack.checksum=1

# Any other protocol is tracked generically, by addresses alone. (Timeouts
# are matched within 10 s of their start: a debug VM can be that slow.)
ip netns exec cl ctpkt proto 10.0.2.1 47
check "generic protocol (GRE) tracked with the 600 s timeout" \
	wait_for 3 ctgrep rt "^gre +47 (59[0-9]|600) src=10.0.1.1 dst=10.0.2.1 packets=1 bytes=28 \[UNREPLIED\] src=10.0.2.1 dst=10.0.1.1 packets=0 bytes=0 mark=0"
# Counters only with net.ctrack.acct (here loaded with acct=1): an entry
# created with it off has none, in /proc, in ctrack -L and in its JSON, and
# its packets are tracked all the same. (The server's port again, from a
# new source port: a new entry.)
# A counted entry made just before, so that it is still there when the
# last check looks, however slow the VM (udp_timeout is 30 s).
check "acct=1: udp request and response" ip netns exec cl ctpkt udpreq 10.0.2.1 5353
ip netns exec rt sysctl -qw net.ctrack.acct=0
check "acct=0: udp request and response" ip netns exec cl ctpkt udpreq 10.0.2.1 5353
check "acct=0: the new entry has no counters in /proc/net/ctrack" \
	ctgrep rt "^udp +17 (2[0-9]|30) src=10.0.1.1 dst=10.0.2.1 sport=[0-9]+ dport=5353 src=10.0.2.1 dst=10.0.1.1 sport=5353 dport=[0-9]+ mark=0 use=1\$"
check "acct=0: none in ctrack -L either" bash -c \
	"ip netns exec rt ctrack -L -p udp --dport 5353 2>/dev/null | grep -Eq 'dport=5353 src=10.0.2.1 dst=10.0.1.1 sport=5353 dport=[0-9]+ mark=0 use=1\$'"
check "acct=0: nor in its JSON" bash -c \
	"ip netns exec rt ctrack -L -p udp --dport 5353 -o json 2>/dev/null | grep '\"src\":\"10.0.1.1\"' | grep -qv packets"
check "acct=0: entries created before keep their counters" \
	ctgrep rt "src=10.0.1.1 dst=10.0.2.1 sport=[0-9]+ dport=5353 packets=1 "
ip netns exec rt sysctl -qw net.ctrack.acct=1

# A packet's verdict slot lets its entry go at the packet's last hook:
# at rest, the table's reference is the only one.
check "idle entries hold only the table's reference (use=1)" wait_for 3 bash -c \
	"ctlist rt | grep -q . && ! ctlist rt | grep -v ' use=1\$'"
check "no verdict was lost" bash -c \
	"test \$(ctstat rt verdict_miss) = 0 && test \$(ctstat cl verdict_miss) = 0 && test \$(ctstat sv verdict_miss) = 0"
finish
