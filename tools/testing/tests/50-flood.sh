#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A tiny net.ctrack.max flooded with new flows: the table never holds more
# than its maximum, an established (ASSURED) flow opened before keeps
# working and keeps its entry, and refused flows are counted as drops or
# early drops. (Topology: lib.bash.)
. ./lib.bash
trap topo_down EXIT

ctrack_load
topo_up
ip netns exec rt sysctl -qw net.ctrack.max=32
ip netns exec sv bash -c 'sleep 20 | nc -l -p 9090 >/dev/null' &
wait_for 5 ip netns exec sv bash -c 'grep -q ":2382 " /proc/net/tcp /proc/net/tcp6'
# An interactive session: one line now, more during the flood.
mkfifo /tmp/feed
ip netns exec cl bash -c "nc 10.0.2.1 9090 < /tmp/feed >/dev/null" &
exec 7>/tmp/feed
echo hello >&7
check "session established and ASSURED before the flood" \
	wait_for 5 ctgrep rt "ESTABLISHED .*dport=9090 .*ASSURED"

drops0=$(($(ctstat rt drop) + $(ctstat rt early_drop)))
ip netns exec cl ctpkt udpflood 10.0.2.1 4000 500
count=$(ip netns exec rt cat /proc/sys/net/ctrack/count)
check "table holds at most its maximum (count $count <= 32)" test "$count" -le 32
check "table filled up to its maximum" test "$count" -ge 30
refused=$(($(ctstat rt drop) + $(ctstat rt early_drop) - drops0))
check "refused new flows are counted (drop + early_drop = $refused)" test "$refused" -ge 400

before=$(ctlist rt | grep 'dport=9090' | grep -o 'packets=[0-9]*' | head -n1)
echo "more data" >&7
sleep 0.5
after=$(ctlist rt | grep 'dport=9090' | grep -o 'packets=[0-9]*' | head -n1)
check "established flow survived the flood and still passes ($before -> $after)" \
	test -n "$after" -a "$before" != "$after"
exec 7>&-
rm -f /tmp/feed
finish
