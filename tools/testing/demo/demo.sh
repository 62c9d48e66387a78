#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo, inside the VM: real traffic between client, router and server
# namespaces (topology in lib.bash), then the router's table and counters.
. ./lib.bash
plan 1
trap topo_down EXIT

say() { printf '\n### %s\n' "$*"; }

ctrack_load
topo_up
servers_up
# The router's events, from here on (shown at the end).
ip netns exec rt ctrack -E >/tmp/events 2>/dev/null &
events_pid=$!
wait_for 5 bash -c "ip netns exec rt ctrack -I -p udp -s 10.9.9.9 -d 10.9.9.8 --sport 1 \
	--dport 1 -t 1 >/dev/null 2>&1; grep -q 10.9.9.9 /tmp/events"
ip netns exec rt ctrack -D -p udp -s 10.9.9.9 >/dev/null 2>&1

say "TCP request/response over IPv4 and IPv6 (closed with FIN)"
ip netns exec cl ctpkt tcpreq 10.0.2.1 8080 && echo ok
ip netns exec cl ctpkt tcpreq fd00:2::1 8080 && echo ok
say "a TCP session left open"
hold_open cl 10.0.2.1 9090 && echo ok
say "UDP request and response"
ip netns exec cl ctpkt udpreq 10.0.2.1 5353 && echo ok
say "ping and ping6"
ip netns exec cl ping -c1 -W1 10.0.2.1 | grep 'bytes from'
ip netns exec cl ping6 -c1 -W1 fd00:2::1 | grep 'bytes from'
say "UDP to a closed port: the ICMP port unreachable is RELATED"
ip netns exec cl ctpkt udpreq 10.0.2.1 9 || echo "no answer (port unreachable)"
say "an invalid packet: TCP SYN+FIN"
ip netns exec cl ctpkt tcp 10.0.1.1 10.0.2.1 4444 8080 SF && echo sent
wait_for 3 bash -c "test \$(ctstat sv invalid) -gt 0"

say "router: ctrack -L (the same lines as /proc/net/ctrack)"
ip netns exec rt ctrack -L
say "router: ctrack -L -p tcp --dport 9090 -o json"
ip netns exec rt ctrack -L -p tcp --dport 9090 -o json
say "router: ctrack -S"
ip netns exec rt ctrack -S
say "router: /proc/net/stat/ctrack, summed over CPUs"
for f in entries found new invalid ignore insert insert_failed drop early_drop related expired verdict_miss; do
	printf '%-14s %s\n' "$f" "$(ctstat rt $f)"
done
say "server: invalid packets counted"
echo "invalid=$(ctstat sv invalid)"
say "closing the open session"
hold_close && echo closed
wait_for 3 grep -q 'TIME_WAIT.*dport=9090' /tmp/events
kill "$events_pid"
wait "$events_pid"
say "router: the session on port 9090 as ctrack -E saw it"
grep -v 10.9.9.9 /tmp/events | grep 'dport=9090'
say "router: the first lines of ctrack -E"
grep -v 10.9.9.9 /tmp/events | head -n 6
pass "demo"
