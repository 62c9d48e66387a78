#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The generic netlink family through the ctrack command: -L lists what
# /proc/net/ctrack lists (also across many dump messages), its filters
# and -o json, -C, -S, -F with and without a family; exit codes and
# one-line errors for bad arguments, a missing privilege and a missing
# module. (Topology: lib.bash.)
. ./lib.bash
plan 36
trap topo_down EXIT

# The comparable part of a listing: no timeout (it ticks), sorted.
norm() { sed -E 's/^([a-z0-9]+ +[0-9]+) [0-9]+ /\1 /' | sort; }

ctrack_load
topo_up
servers_up
ip netns exec cl ctpkt tcpreq 10.0.2.1 8080
ip netns exec cl ctpkt tcpreq fd00:2::1 8080
ip netns exec cl ctpkt udpreq 10.0.2.1 5353
ip netns exec cl ctpkt udpreq fd00:2::1 5353
# A protocol that /proc/net/ctrack calls "unknown": both must name it alike.
ip netns exec cl ctpkt proto 10.0.2.1 50
hold_open cl 10.0.2.1 9090
wait_for 3 ctgrep rt "ESTABLISHED .*dport=9090 .*ASSURED"

proc=$(ctlist rt | norm)
nl=$(ip netns exec rt ctrack -L 2>/tmp/summary | norm)
check "ctrack -L lists what /proc/net/ctrack lists ($(echo "$proc" | wc -l) entries)" \
	test -n "$nl" -a "$nl" = "$proc"
n=$(echo "$proc" | wc -l)
check "ctrack -L prints conntrack's summary on stderr" \
	grep -qx "ctrack v[^:]*: $n flow entries have been shown." /tmp/summary
check "ctrack -L -f ipv6 lists only and all IPv6 entries" test \
	"$(ip netns exec rt ctrack -L -f ipv6 2>/dev/null | norm)" = "$(echo "$proc" | grep 'src=[0-9a-f]*:')"
check "ctrack -L -p udp lists only and all UDP entries" test \
	"$(ip netns exec rt ctrack -L -p udp 2>/dev/null | norm)" = "$(echo "$proc" | grep '^udp ')"
check "ctrack -L -f ipv4 -p 6 lists only and all IPv4 TCP entries" test \
	"$(ip netns exec rt ctrack -L -f ipv4 -p 6 2>/dev/null | norm)" = \
	"$(echo "$proc" | grep '^tcp .* src=10\.')"
json=$(ip netns exec rt ctrack -L -o json 2>/dev/null)
check "ctrack -L -o json: one object per entry" test "$(echo "$json" | grep -c '^{.*}$')" = "$n"
check "ctrack -L -o json: the open session, ESTABLISHED and assured" bash -c \
	"echo '$json' | grep -q '\"state\":\"ESTABLISHED\",\"original\":{\"src\":\"10.0.1.1\",\"dst\":\"10.0.2.1\",\"sport\":[0-9]*,\"dport\":9090,.*\"assured\":true'"
check "ctrack -L -o json: entry ids are distinct" test \
	"$(echo "$json" | grep -o '^{"id":[0-9]*' | sort -u | wc -l)" = "$n"
check "ctrack -C equals net.ctrack.count" test \
	"$(ip netns exec rt ctrack -C)" = "$(ip netns exec rt cat /proc/sys/net/ctrack/count)"
stats=$(ip netns exec rt ctrack -S)
check "ctrack -S: one line per CPU" test "$(echo "$stats" | grep -c '^cpu=')" -ge "$NR_CPUS"
sum=0
for v in $(echo "$stats" | grep -o ' new=[0-9]*' | cut -d= -f2); do sum=$((sum + v)); done
check "ctrack -S: the new counters add up to /proc/net/stat/ctrack's ($sum)" \
	test "$sum" = "$(ctstat rt new)"

# Many entries: the dump spans many messages, each entry exactly once.
ip netns exec rt sysctl -qw net.ctrack.max=0
ip netns exec cl ctpkt udpflood 10.0.2.1 4000 600
many=$(ip netns exec rt ctrack -L 2>/dev/null | norm)
proc=$(ctlist rt | norm)
n=$(echo "$proc" | wc -l)
check "a dump of $n entries (many messages) lists what /proc/net/ctrack lists" \
	test "$n" -gt 500 -a "$many" = "$proc"
check "... each entry once" test "$(echo "$many" | sort -u | wc -l)" = "$n"

# Flush: one family, then everything.
ip netns exec rt ctrack -F -f ipv6 2>/dev/null
check "ctrack -F -f ipv6 leaves no IPv6 entry" bash -c "! ctlist rt | grep -q 'src=fd00:'"
check "ctrack -F -f ipv6 leaves the IPv4 entries" ctgrep rt "dport=4000 "
check "ctrack -F reports success" bash -c \
	"ip netns exec rt ctrack -F 2>&1 | grep -qx 'ctrack v[^:]*: connection tracking table has been emptied.'"
# The held session's next packet re-creates its entry (tcp_loose).
check "ctrack -F empties the table" wait_for 3 bash -c \
	"test \"\$(ctlist rt | grep -vc 'dport=9090 ')\" = 0"
check "session still works after the flush" hold_close

# Errors: bad arguments (2), no privilege (1), no module (1).
for args in "" "-L -x" "-L -f ipv5" "-C -p tcp" "-L -p nosuchproto" "-L -o yaml" "-L extra" "-G -p tcp" "-I -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2" "-L --sport 1" "-L -s 10.0.0.1 -d ::1" "-F -p tcp" "-S -o json" "-L -u FOO"; do
	# shellcheck disable=SC2086
	out=$(ip netns exec rt ctrack $args 2>&1 >/dev/null)
	rc=$?
	check "ctrack $args: exit 2 with one line ($out)" \
		test "$rc" = 2 -a "$(echo "$out" | wc -l)" = 1
done
out=$(ip netns exec rt su -s /bin/bash nobody -c 'ctrack -L' 2>&1)
rc=$?
check "unprivileged ctrack -L: exit 1, not permitted ($out)" \
	bash -c "test $rc = 1 && echo '$out' | grep -q 'not permitted'"
# Counter resets from several readers at once (the family runs without
# genl_mutex): each packet is reported by exactly one of them, and none
# is left after.
ip netns exec rt sysctl -qw net.ctrack.acct=1
ip netns exec cl ping -q -c 10 -W 2 10.0.2.1 >/dev/null
zpids=()
for i in 1 2 3 4 5 6; do
	ip netns exec rt ctrack -L -z -p icmp >/tmp/zero.$i 2>/dev/null &
	zpids+=($!)
done
wait "${zpids[@]}"
reported=0
for n in $(cat /tmp/zero.* | sed -nE 's/.*src=10\.0\.1\.1 dst=10\.0\.2\.1 type=8 code=0 id=[0-9]+ packets=([0-9]+) .*/\1/p'); do
	reported=$((reported + n))
done
check "ctrack -L -z six times at once: the 10 echo requests reported once in all ($reported)" \
	test "$reported" = 10
check "... and the counters are zero after" \
	ctgrep rt "src=10.0.1.1 dst=10.0.2.1 type=8 code=0 id=[0-9]+ packets=0 "
ip netns exec rt sysctl -qw net.ctrack.acct=0

ctrack_unload
out=$(ctrack -C 2>&1)
rc=$?
check "ctrack without the module: exit 1, says so ($out)" \
	bash -c "test $rc = 1 && echo '$out' | grep -q 'module is not loaded'"
finish
