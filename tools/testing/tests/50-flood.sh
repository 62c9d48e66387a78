#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A tiny net.ctrack.max flooded with new flows: the table never holds more
# than its maximum, an established (ASSURED) flow opened before keeps
# working and keeps its entry, and refused flows are counted as drops or
# early drops. (Topology: lib.bash.)
. ./lib.bash
plan 6
trap topo_down EXIT

ctrack_load
topo_up
ip netns exec rt sysctl -qw net.ctrack.max=32
# Flood entries must outlive the flood, however slow the VM: none may
# expire and make room by itself.
ip netns exec rt sysctl -qw net.ctrack.udp_timeout=3600
echo_server sv 9090
# An interactive session: one line now, more after the flood.
hold_open cl 10.0.2.1 9090
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
echo "more data" >&9
# Each line is echoed back before the next: two more packets at least.
moved() {
	after=$(ctlist rt | grep 'dport=9090' | grep -o 'packets=[0-9]*' | head -n1)
	[ -n "$after" ] && [ "$before" != "$after" ]
}
check "established flow survived the flood and still passes" wait_for 3 moved
echo "packets: $before -> $after"
check "session closed cleanly after the flood" hold_close
finish
