#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every ctrack command against real traffic through rt: -G by either
# tuple, -L with each filter (compared with /proc/net/ctrack), the output
# formats, -z, -I then traffic through the created entry, -U by tuple and
# by filter, -D by tuple and by filter (other entries untouched),
# -S -o prometheus, and -E: the event order of a TCP session, -e, and a
# listener that overflows, warns and keeps going. (Topology: lib.bash.)
. ./lib.bash
plan 62
trap topo_down EXIT

# The comparable part of a listing: no timeout (it ticks), sorted.
norm() { sed -E 's/^([a-z0-9]+ +[0-9]+) [0-9]+ /\1 /' | sort; }
ct() { ip netns exec rt ctrack "$@" 2>/dev/null; }
# same NAME FILTER-ARGS -- GREP-ARGS: ctrack -L FILTER lists exactly the
# /proc/net/ctrack lines that grep selects (and at least one)
same() {
	local name=$1 args=() want got
	shift
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	want=$(ctlist rt | grep "$@" | norm)
	got=$(ct -L "${args[@]}" | norm)
	check "ctrack -L ${args[*]}: $name ($(echo "$want" | grep -c .) entries)" \
		test -n "$want" -a "$got" = "$want"
}

# timeout_in LINE MIN MAX: the timeout column of a listing line is in range
timeout_in() {
	local t
	t=$(echo "$1" | awk '{print $3}')
	[ "$t" -ge "$2" ] && [ "$t" -le "$3" ]
}

ctrack_load
topo_up
# A slow (debug) kernel takes longer than these to get through the test.
for t in udp_timeout udp_timeout_stream icmp_timeout icmpv6_timeout; do
	ip netns exec rt sysctl -qw net.ctrack.$t=3600
done
# Forget topo_up's pings, tracked with the old timeouts.
ip netns exec rt ctrack -F 2>/dev/null
servers_up
for dst in 10.0.2.1 fd00:2::1; do
	ip netns exec cl ctpkt tcpreq $dst 8080
	ip netns exec cl ctpkt udpreq $dst 5353
done
ip netns exec cl ping -c1 -W5 10.0.2.1 >/dev/null
ip netns exec cl ping6 -c1 -W5 fd00:2::1 >/dev/null
hold_open cl 10.0.2.1 9090
wait_for 3 ctgrep rt "ESTABLISHED .*dport=9090 .*ASSURED"
sp=$(ctlist rt | grep "dport=9090 " | grep -o 'sport=[0-9]*' | head -1 | cut -d= -f2)
held="-p tcp -s 10.0.1.1 -d 10.0.2.1 --sport $sp --dport 9090"

# -G by the original and by the reply tuple.
# shellcheck disable=SC2086
check "ctrack -G by the original tuple shows the session" test \
	"$(ct -G $held | norm)" = "$(ctlist rt | grep "sport=$sp dport=9090 " | norm)"
check "ctrack -G by the reply tuple shows the same entry" test \
	"$(ct -G -p tcp -r 10.0.2.1 -q 10.0.1.1 --reply-port-src 9090 --reply-port-dst "$sp" | norm)" = \
	"$(ctlist rt | grep "sport=$sp dport=9090 " | norm)"
out=$(ip netns exec rt ctrack -G -p tcp -s 10.0.1.1 -d 10.0.2.1 --sport 1 --dport 2 2>&1)
rc=$?
check "ctrack -G of no entry: exit 1, one line ($out)" \
	test "$rc" = 1 -a "$(echo "$out" | wc -l)" = 1

# -L filters, each against the same selection made on /proc/net/ctrack.
same "original source prefix" -s 10.0.1.0/24 -- -E ' [A-Z_]* ?src=10\.0\.1\.'
same "original destination" -d fd00:2::1 -- -E '^[a-z0-9]+ +[0-9]+ [0-9]+ ([A-Z_]+ )?src=[^ ]+ dst=fd00:2::1 '
same "reply source" -r 10.0.2.1 -- -E '(UNREPLIED\] |packets=[0-9]+ bytes=[0-9]+ )src=10\.0\.2\.1 .*mark='
same "reply destination prefix" -q fd00:1::/64 -- -E 'bytes=[0-9]+ (\[UNREPLIED\] )?src=[^ ]+ dst=fd00:1::'
same "protocol and original port" -p tcp --dport 8080 -- -E '^tcp .* dport=8080 '
same "reply source port" -p tcp --reply-port-src 9090 -- -E '^tcp .*sport=9090 '
same "original source port" -p tcp --sport "$sp" -- -E "^tcp .* sport=$sp dport=9090 "
same "TCP state" -p tcp --state ESTABLISHED -- -E '^tcp +6 [0-9]+ ESTABLISHED '
same "ICMP type" -p icmp --icmp-type 8 -- -E '^icmp .* type=8 '
same "ICMPv6 type and code" -p icmpv6 --icmp-type 128 --icmp-code 0 -- -E '^icmpv6 .* type=128 code=0 '
same "status ASSURED" -u ASSURED -- -F '[ASSURED]'
same "family" -f ipv6 -p udp -- -E '^udp .* src=fd00:'
id=$(ct -L -p icmp -o json | grep -o '"id":[0-9]*' | cut -d: -f2)
icmpid=$(ctlist rt | grep '^icmp ' | grep -o ' id=[0-9]*' | head -1 | cut -d= -f2)
same "ICMP id" -p icmp --icmp-id "$icmpid" -- -E "^icmp .* id=$icmpid "

# Output formats.
check "-o extended prefixes the family" bash -c \
	"ip netns exec rt ctrack -L -o extended 2>/dev/null | grep -q '^ipv4     2 tcp      6 .*dport=9090 '"
check "-o id appends the id that -o json gives" bash -c \
	"ip netns exec rt ctrack -L -p icmp -o id 2>/dev/null | grep -q ' id=$id\$'"
check "-o timestamp shows the start" bash -c \
	"ip netns exec rt ctrack -L -o timestamp 2>/dev/null | grep -q 'use=[0-9]* \[start=[A-Z][a-z][a-z] '"
xml=$(ct -L -o xml)
n=$(ctlist rt | wc -l)
check "-o xml: a document with one flow per entry" bash -c \
	"echo '$xml' | head -1 | grep -q '^<?xml version=\"1.0\" encoding=\"utf-8\"?>' &&
	 echo '$xml' | sed -n 2p | grep -qx '<conntrack>' &&
	 echo '$xml' | tail -1 | grep -qx '</conntrack>' &&
	 test \$(echo '$xml' | grep -c '^<flow><meta direction=\"original\">') = $n"
check "-o xml: the session's state, ports and assured" bash -c \
	"echo '$xml' | grep '<dport>9090</dport>' | grep -q '<state>ESTABLISHED</state>.*<assured/>'"

# -z: counters reported, then reset.
# shellcheck disable=SC2086
before=$(ct -L -z $held)
# shellcheck disable=SC2086
after=$(ct -L $held)
check "-z reports the counters" bash -c "echo '$before' | grep -q 'packets=[1-9]'"
check "-z resets them" bash -c "echo '$after' | grep -q 'packets=0 bytes=0 .*packets=0 bytes=0 '"
hold_close

# -I, then a packet through the created entry.
check "ctrack -I creates an ESTABLISHED entry" ip netns exec rt ctrack -I -p tcp \
	-s 10.0.1.1 -d 10.0.2.99 --sport 40000 --dport 7777 --state ESTABLISHED -t 100 \
	-u SEEN_REPLY,ASSURED -m 5
line=$(ct -G -p tcp -s 10.0.1.1 -d 10.0.2.99 --sport 40000 --dport 7777 -o id)
check "... with its timeout, state, status and mark" bash -c \
	"echo '$line' | grep -qE '^tcp +6 [0-9]+ ESTABLISHED .*dport=7777 packets=0 .*\[ASSURED\] mark=5 '"
check "... the timeout given ($line)" timeout_in "$line" $((100 - 10 * SLOW)) 100
# (10.0.2.99 does not exist: no RST comes back to close the entry)
ip netns exec cl ctpkt tcp 10.0.1.1 10.0.2.99 40000 7777 A 1000 1
line2=$(ct -G -p tcp -s 10.0.1.1 -d 10.0.2.99 --sport 40000 --dport 7777 -o id)
check "a packet of that flow goes through the created entry (same id, counted, refreshed)" \
	bash -c "echo '$line2' | grep -qE '^tcp +6 4[0-9]{5} ESTABLISHED .*dport=7777 packets=1 .* ${line##* }\$'"
out=$(ip netns exec rt ctrack -I -p tcp -s 10.0.1.1 -d 10.0.2.99 --sport 40000 --dport 7777 \
	--state ESTABLISHED -t 100 2>&1)
rc=$?
check "ctrack -I of an existing tuple: exit 1, says so ($out)" \
	bash -c "test $rc = 1 && echo '$out' | grep -q 'exists'"
check "ctrack -I of a UDP entry" ip netns exec rt ctrack -I -p udp -s fd00:1::9 \
	-d fd00:2::9 --sport 1000 --dport 2000 -t 50
check "... listed, unreplied" ctgrep rt '^udp +17 [0-9]+ src=fd00:1::9 .*\[UNREPLIED\]'
check "... with its timeout" timeout_in "$(ctlist rt | grep 'src=fd00:1::9 ')" $((50 - 10 * SLOW)) 50

# -U by tuple and by filter.
check "ctrack -U by tuple sets mark and timeout" ip netns exec rt ctrack -U -p udp \
	-s fd00:1::9 -d fd00:2::9 --sport 1000 --dport 2000 -m 7 -t 300
check "... the entry shows them" ctgrep rt '^udp +17 [0-9]+ src=fd00:1::9 .*mark=7 '
check "... the new timeout" timeout_in "$(ctlist rt | grep 'src=fd00:1::9 ')" $((300 - 10 * SLOW)) 300
same "mark" -m 7 -- -F 'mark=7 '
same "mark and mask" -m 0x4/0x4 -- -E 'mark=(5|7) '
nudp=$(ctlist rt | grep -c '^udp .*dport=5353 ')
out=$(ip netns exec rt ctrack -U -p udp --dport 5353 -m 9 -u ASSURED 2>&1 >/dev/null)
check "ctrack -U by filter updates every match ($out)" bash -c \
	"echo '$out' | grep -qx 'ctrack v[^:]*: $nudp flow entries have been updated.' &&
	 test \$(ctlist rt | grep '^udp .*dport=5353 ' | grep -c 'ASSURED\] mark=9 ') = $nudp"
check "... and nothing else" test "$(ctlist rt | grep -c 'mark=9 ')" = "$nudp"

# -S -o prometheus.
ct -S -o prometheus >/tmp/prom
check "-S -o prometheus: table size and max" bash -c \
	"grep -qx 'ctrack_entries $(ct -C)' /tmp/prom && grep -qx 'ctrack_max [0-9]*' /tmp/prom"
check "-S -o prometheus: a counter per CPU, typed" bash -c \
	"grep -qx '# TYPE ctrack_new_total counter' /tmp/prom &&
	 test \$(grep -c '^ctrack_new_total{cpu=\"[0-9]*\"} [0-9]*\$' /tmp/prom) -ge $NR_CPUS"

# -D by tuple and by filter.
others=$(ctlist rt | grep -v 'dport=7777 ' | norm)
out=$(ip netns exec rt ctrack -D -p tcp -s 10.0.1.1 -d 10.0.2.99 --sport 40000 --dport 7777 2>&1)
check "ctrack -D by tuple prints the entry and the summary" bash -c \
	"echo '$out' | grep -q '^tcp .*dport=7777 ' &&
	 echo '$out' | grep -qx 'ctrack v[^:]*: 1 flow entries have been deleted.'"
check "... the entry is gone, every other entry is still there" \
	test "$(ctlist rt | norm)" = "$others"
others=$(ctlist rt | grep -v '^udp ' | norm)
nudp=$(ctlist rt | grep -c '^udp ')
out=$(ip netns exec rt ctrack -D -p udp 2>&1 >/tmp/deleted)
check "ctrack -D -p udp deletes and lists each UDP entry ($out)" bash -c \
	"echo '$out' | grep -qx 'ctrack v[^:]*: $nudp flow entries have been deleted.' &&
	 test \$(grep -c '^udp ' /tmp/deleted) = $nudp"
check "... no other entry was touched" test "$(ctlist rt | norm)" = "$others"

# -E: a TCP session's events, in order. The listener is up once it
# reports a probe entry created for that purpose.
ip netns exec rt ctrack -E -p tcp --dport 9090 -o id >/tmp/ev 2>/tmp/ev.err &
evpid=$!
ip netns exec rt ctrack -E -e DESTROY -o json >/tmp/evd 2>/dev/null &
evdpid=$!
probe() {
	ip netns exec rt ctrack -I -p tcp -s 10.9.9.9 -d 10.0.2.1 --sport 1 --dport 9090 \
		--state ESTABLISHED -t 10 >/dev/null 2>&1
	ip netns exec rt ctrack -D -p tcp -s 10.9.9.9 -d 10.0.2.1 --sport 1 --dport 9090 \
		>/dev/null 2>&1
	grep -q 'DESTROY.*src=10.9.9.9' /tmp/ev && grep -q '"src":"10.9.9.9"' /tmp/evd
}
export -f probe
check "ctrack -E is listening" wait_for 10 probe
hold_open cl 10.0.2.1 9090
wait_for 3 ctgrep rt "ESTABLISHED .*dport=9090 .*ASSURED"
hold_close
sp=$(grep '\[NEW\] tcp .* src=10.0.1.1 ' /tmp/ev | grep -o 'sport=[0-9]*' | head -1 | cut -d= -f2)
check "the session's TIME_WAIT was reported" wait_for 5 bash -c "grep -q 'TIME_WAIT .*sport=$sp ' /tmp/ev"
ip netns exec rt ctrack -D -p tcp --sport "$sp" >/dev/null 2>&1
check "its DESTROY too" wait_for 5 bash -c "grep -q 'DESTROY.*sport=$sp ' /tmp/ev"
kill "$evpid" "$evdpid"
wait "$evpid" "$evdpid"
grep "sport=$sp " /tmp/ev >/tmp/ev.s
check "first event: NEW, SYN_SENT, unreplied" bash -c \
	"head -1 /tmp/ev.s | grep -qE '^ +\[NEW\] tcp +6 [0-9]+ SYN_SENT .*\[UNREPLIED\]'"
check "then UPDATE SYN_RECV" bash -c "sed -n 2p /tmp/ev.s | grep -qE '^ \[UPDATE\] tcp +6 [0-9]+ SYN_RECV '"
check "then UPDATE ESTABLISHED and assured" bash -c \
	"sed -n 3p /tmp/ev.s | grep -qE '^ \[UPDATE\] tcp +6 [0-9]+ ESTABLISHED .*\[ASSURED\]'"
check "last event: DESTROY, without a timeout" bash -c \
	"tail -1 /tmp/ev.s | grep -qE '^\[DESTROY\] tcp +6 [A-Z_]+ src='"
order=$(grep -o '^ \[UPDATE\] tcp *6 [0-9]* [A-Z_]*' /tmp/ev.s | awk '{print $NF}' | tr '\n' ' ')
rank() {
	local s r=""
	for s in $1; do
		case $s in
		SYN_RECV) r+=2 ;; ESTABLISHED) r+=3 ;; FIN_WAIT) r+=4 ;; CLOSE_WAIT) r+=5 ;;
		LAST_ACK) r+=6 ;; TIME_WAIT) r+=7 ;; CLOSE) r+=8 ;; *) r+=0 ;;
		esac
	done
	echo "$r"
}
r=$(rank "$order")
check "the UPDATEs go through the states in order ($order)" \
	test "$r" = "$(echo "$r" | grep -o . | sort | tr -d '\n')" -a "${r#*0}" = "$r"
check "every event of the session carries one id" \
	test "$(grep -o ' id=[0-9]*$' /tmp/ev.s | sort -u | wc -l)" = 1
check "ctrack -E prints its summary when stopped" \
	grep -qx "ctrack v[^:]*: $(grep -c . /tmp/ev) flow events have been shown." /tmp/ev.err
check "-e DESTROY: destroy events only, with their end" bash -c \
	"test \$(grep -c . /tmp/evd) -ge 2 && ! grep -v '^{\"event\":\"destroy\",.*\"stop_ns\":[0-9]*}\$' /tmp/evd"

# UPDATE events: for a new mark, not for a new timeout alone.
ip netns exec rt ctrack -I -p udp -s 10.9.8.1 -d 10.9.8.2 --sport 1 --dport 2000 -t 100 \
	>/dev/null 2>&1
ip netns exec rt ctrack -E -e UPDATE -p udp --dport 2000 -o json >/tmp/evu 2>/dev/null &
evpid=$!
mark=0
probe_mark() {
	mark=$((mark + 1))
	ip netns exec rt ctrack -U -p udp -s 10.9.8.1 -d 10.9.8.2 --sport 1 --dport 2000 \
		-m "$mark" >/dev/null 2>&1
	grep -q '"mark":' /tmp/evu
}
check "an UPDATE listener is up" wait_for 10 probe_mark
# Events are queued before the command returns: once the last probe's is
# printed, all are.
wait_for 5 grep -q "\"mark\":$mark," /tmp/evu
before=$(grep -c . /tmp/evu)
ip netns exec rt ctrack -U -p udp -s 10.9.8.1 -d 10.9.8.2 --sport 1 --dport 2000 -t 500 \
	>/dev/null 2>&1
ip netns exec rt ctrack -U -p udp -s 10.9.8.1 -d 10.9.8.2 --sport 1 --dport 2000 -m 99 \
	>/dev/null 2>&1
check "-U -m raises an UPDATE event" wait_for 5 grep -q '"mark":99,' /tmp/evu
check "-U -t alone raises none" test "$(grep -c . /tmp/evu)" = $((before + 1))
kill "$evpid"
wait "$evpid"

# A listener whose buffer overflows warns and keeps going.
ip netns exec rt sysctl -qw net.ctrack.max=0
ip netns exec rt ctrack -E -e NEW -p udp -b 1 >/tmp/ev2 2>/tmp/ev2.err &
evpid=$!
probe_udp() {
	ip netns exec rt ctrack -I -p udp -s 10.9.9.$1 -d 10.0.2.1 --sport 1 --dport 1 -t 10 \
		>/dev/null 2>&1
	ip netns exec rt ctrack -D -p udp -s 10.9.9.$1 >/dev/null 2>&1
	grep -q "src=10.9.9.$1 " /tmp/ev2
}
export -f probe_udp
check "a small-buffer listener is up" wait_for 10 probe_udp 1
# Stopped while 300 flows start: its small buffer overflows for sure.
kill -STOP "$evpid"
ip netns exec cl ctpkt udpflood 10.0.2.1 4000 300
kill -CONT "$evpid"
check "it warns of lost events" wait_for 5 grep -q 'WARNING: events were lost' /tmp/ev2.err
check "and keeps reporting" wait_for 10 probe_udp 2
kill "$evpid"
wait "$evpid"
check "no event was lost inside the kernel (event_lost)" test "$(ctstat rt event_lost)" = 0
finish
