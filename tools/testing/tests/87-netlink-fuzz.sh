#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The generic netlink family under a seeded fuzzer (ctfuzz.c): valid,
# malformed and mutated requests of every command and attribute, as root
# where they may act, and without the privilege where they must not.
#
#   ns "cl" ---- ns "rt" ---- ns "sv"   (lib.bash) a held TCP session and
#                                       UDP exchanges: their entries live in rt
#   ns "fz"   ctfuzz as root: its NEW, UPDATE, DELETE and FLUSH act on fz's
#             table only, never on rt's
#   ns "rt"   ctfuzz --expect-eperm as nobody, then as root of a child user
#             namespace: every request fails, nothing changes
#   (control) ctfuzz --expect-eperm as root in fz must fail: the isolation
#             check sees successes when there are some
#
# Afterwards rt holds the same entries (same tuples; counters may grow),
# the session still passes data, and fz's table agrees with itself
# (/proc/net/ctrack, ctrack -C, net.ctrack.count). The harness checks
# dmesg for splats (and kmemleak on the debug kernel, after ns fz is gone).
#
# FUZZ_COUNT (default 200000; 20000 on the debug kernel; 1000000 with
# CAMPAIGN_SIZE=soak) and FUZZ_SEED (run-vm.sh --env) reproduce a run: "ctfuzz --seed S --count N --hex" prints its requests.
#
# Functions run through check, wait_for and trap; ctrack_load takes no
# argument here.
# shellcheck disable=SC2317,SC2119
. ./lib.bash
plan 14

cleanup() {
	ip netns del fz 2>/dev/null
	topo_down
}
trap cleanup EXIT

count=${FUZZ_COUNT:-200000}
[ "$KERNEL_FLAVOR" = debug ] && count=${FUZZ_COUNT:-20000}
# make campaign-fuzz SIZE=soak: a million messages a run.
[ "${CAMPAIGN_SIZE:-ci}" = soak ] && count=${FUZZ_COUNT:-1000000}
seed=${FUZZ_SEED:-870087}
echo "ctfuzz: seed $seed, count $count (set FUZZ_SEED, FUZZ_COUNT to reproduce)"

# rt's entries as tuples only: protocol, addresses, ports, ICMP fields.
tuples() {
	ctlist rt | awk '{
		t = $1
		for (i = 2; i <= NF; i++)
			if ($i ~ /^(src|dst|sport|dport|type|code|id)=/)
				t = t " " $i
		print t
	}' | sort
}

# fuzz NAME OUT CMD...: run ctfuzz (CMD), keep its summary in OUT, show
# it in the log, and PASS when it exited 0.
fuzz() {
	local name=$1 out=$2 rc=0 figures
	shift 2
	"$@" >"$out" || rc=$?
	sed 's/^/  | /' "$out"
	figures=$(sed -n 's/^elapsed: \([0-9.]*\) s, \([0-9]*\) msgs\/s$/\1 s, \2 msgs\/s/p' "$out")
	check "ctfuzz $name: $count messages, ${figures:-no summary}, exit $rc" test "$rc" = 0
}

ctrack_load
topo_up
# Nothing of rt's traffic may expire during the fuzz, however slow the VM
# (UDP's 30 s), and the pings of topo_up (ICMP, 30 s) go first.
ip netns exec rt sysctl -qw net.ctrack.udp_timeout=3600
ip netns exec rt ctrack -F 2>/dev/null
servers_up
hold_open cl 10.0.2.1 9090
check "session ESTABLISHED and ASSURED in rt" \
	wait_for 5 ctgrep rt "ESTABLISHED .*dport=9090 .*ASSURED"
check "UDP request and response (IPv4)" ip netns exec cl ctpkt udpreq 10.0.2.1 5353
check "UDP request and response (IPv6)" ip netns exec cl ctpkt udpreq fd00:2::1 5353
before=$(tuples)
echo "rt before the fuzz:"
ctlist rt
check "rt holds the 3 entries of the traffic ($(echo "$before" | grep -c .))" \
	test "$(echo "$before" | grep -c .)" = 3

ip netns add fz
ip -n fz link set lo up
report=$((count / 4))
[ "$report" -gt 0 ] || report=1

fuzz "as root in ns fz" /tmp/fuzz.root \
	ip netns exec fz ctfuzz --seed "$seed" --count "$count" --report "$report"
fuzz "as nobody in ns rt (--expect-eperm)" /tmp/fuzz.nobody \
	ip netns exec rt su -s /bin/bash nobody -c \
	"ctfuzz --expect-eperm --seed $seed --count $count --report $report"
if ! unshare -U -r true 2>/dev/null; then
	skip "ctfuzz as root of a child user namespace: unshare -U -r does not work here"
else
	fuzz "as root of a child user namespace in ns rt (--expect-eperm)" /tmp/fuzz.userns \
		ip netns exec rt unshare -U -r ctfuzz --expect-eperm --seed "$seed" \
		--count "$count" --report "$report"
fi

# The isolation check must be able to fail: as root, where requests
# succeed, --expect-eperm reports them.
rc=0
ip netns exec fz ctfuzz --expect-eperm --seed "$seed" --count 2000 >/tmp/fuzz.control || rc=$?
grep -m1 '^FAIL: ' /tmp/fuzz.control | sed 's/^/  | /'
grep '^result: ' /tmp/fuzz.control | sed 's/^/  | /'
check "ctfuzz --expect-eperm as root in ns fz fails, naming the successes (exit $rc)" \
	bash -c "[ $rc = 1 ] && grep -q '^FAIL: .*isolation' /tmp/fuzz.control"

after=$(tuples)
echo "rt after the fuzz:"
ctlist rt
check "rt holds the same entries as before" test "$after" = "$before"
if [ "$after" != "$before" ]; then
	echo "$before" >/tmp/fuzz.before
	echo "$after" >/tmp/fuzz.after
	diff /tmp/fuzz.before /tmp/fuzz.after | sed 's/^/  /'
fi

pkts() { ctlist rt | grep 'dport=9090' | grep -o 'packets=[0-9]*' | head -n1; }
pkts0=$(pkts)
echo "more data" >&9
moved() { [ -n "$(pkts)" ] && [ "$(pkts)" != "$pkts0" ]; }
check "the session still passes data after the fuzz" wait_for 3 moved
check "the session closes cleanly" hold_close

# fz's table: entries that expire between two reads may make them differ
# for a moment, so read all three until one round agrees.
counts() {
	local p c s
	p=$(ip netns exec fz cat /proc/net/ctrack | wc -l)
	c=$(ip netns exec fz ctrack -C)
	s=$(ip netns exec fz cat /proc/sys/net/ctrack/count)
	echo "/proc/net/ctrack $p lines, ctrack -C $c, net.ctrack.count $s" >/tmp/fuzz.counts
	[ "$p" = "$c" ] && [ "$c" = "$s" ]
}
rc=0
wait_for 10 counts || rc=$?
check "ns fz's table is consistent: $(cat /tmp/fuzz.counts)" test "$rc" = 0
check "ctrack -F empties ns fz" ip netns exec fz ctrack -F 2>/dev/null
check "... net.ctrack.count 0 ($(ip netns exec fz cat /proc/sys/net/ctrack/count))" \
	test "$(ip netns exec fz cat /proc/sys/net/ctrack/count)" = 0
finish
